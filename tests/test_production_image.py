"""docker-compose.yml, the Dockerfile and the settings describe the same production image.

Nothing here runs Docker: the files are read as text, so a renamed setting, module or command
shows up in the ordinary test run rather than on the first deploy.
"""

from __future__ import annotations

import ast
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("migrate", "web", "worker", "mailer", "beat")
# Read by the shell around granian in the web command, not by Django.
SHELL_ONLY = {"WEB_CONCURRENCY", "WEB_THREADS"}
# Python's and pip's own variables in the Dockerfile.
INTERPRETER_PREFIXES = ("PYTHON", "PIP_")
ENV_READERS = {"str", "bool", "int", "list", "float", "db_url", "email_url", "cache_url", "url"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, with continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def settings_env_names() -> set[str]:
    """Every variable name peersupport/settings.py reads through django-environ or
    env_secret (which also reads NAME_FILE)."""
    tree = ast.parse((ROOT / "peersupport" / "settings.py").read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "env_secret":
            names |= {first.value, f"{first.value}_FILE"}
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
            and func.attr in ENV_READERS
        ):
            names.add(first.value)
    return names


def dockerfile_env_names(dockerfile: list[tuple[str, str]]) -> set[str]:
    names: set[str] = set()
    for instruction, arguments in dockerfile:
        if instruction == "ENV":
            names |= {word.split("=", 1)[0] for word in shlex.split(arguments) if "=" in word}
    return names


def command_words(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_the_settings_reader_finds_the_settings_we_know() -> None:
    names = settings_env_names()
    assert {"SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL", "EMAIL_URL", "ALLOWED_HOSTS"} <= names
    assert {"DEBUG", "PORT", "REDIS_URL", "STATIC_ROOT"} <= names


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_compose_passes_is_one_the_settings_read(compose, service) -> None:
    passed = set(compose["services"][service]["environment"])

    assert passed, service
    assert passed - settings_env_names() == set()


def test_every_variable_the_dockerfile_sets_is_one_the_settings_read(dockerfile) -> None:
    names = {
        name
        for name in dockerfile_env_names(dockerfile)
        if not name.startswith(INTERPRETER_PREFIXES)
    }

    assert names - settings_env_names() == set()


def test_web_serves_the_project_wsgi_application_like_the_dockerfile(compose, dockerfile) -> None:
    words = command_words(compose["services"]["web"]["command"])
    assert words[:2] == ["sh", "-c"]
    inner = shlex.split(words[2])
    assert inner[:2] == ["exec", "granian"]
    assert inner[2:4] == ["--interface", "wsgi"]
    target = inner[-1]
    assert target == "peersupport.wsgi:application"

    module, attribute = target.split(":")
    source = (ROOT / Path(*module.split("."))).with_suffix(".py").read_text()
    assert re.search(rf"^{attribute}\s*=", source, re.MULTILINE)
    cmd = next(arguments for instruction, arguments in dockerfile if instruction == "CMD")
    assert target in cmd and "granian" in cmd


@pytest.mark.parametrize(
    "service, role", [("worker", "worker"), ("mailer", "worker"), ("beat", "beat")]
)
def test_worker_and_beat_run_the_project_celery_app(compose, service, role) -> None:
    words = command_words(compose["services"][service]["command"])

    assert words[:4] == ["celery", "-A", "peersupport", role]
    assert "from .celery import app" in (ROOT / "peersupport" / "__init__.py").read_text()
    assert (ROOT / "peersupport" / "celery.py").is_file()


def test_migrate_runs_manage_py(compose) -> None:
    words = command_words(compose["services"]["migrate"]["command"])

    assert words[:3] == ["python", "manage.py", "migrate"]
    assert (ROOT / "manage.py").is_file()
    assert compose["services"]["migrate"]["restart"] == "no"


def test_the_programs_the_commands_name_are_installed_dependencies() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    installed = {
        re.split(r"[\[<>=~ ]", requirement, maxsplit=1)[0].lower()
        for requirement in pyproject["project"]["dependencies"]
    }

    assert {"granian", "celery"} <= installed


@pytest.mark.parametrize("dependency", ["db", "redis"])
def test_the_services_the_app_needs_exist_with_healthchecks(compose, dependency) -> None:
    services = compose["services"]

    assert services[dependency]["healthcheck"]["test"]
    for service in APP_SERVICES:
        assert services[service]["depends_on"][dependency]["condition"] == "service_healthy"


def test_app_services_start_after_migrations_and_check_their_own_health(compose) -> None:
    for service in ("web", "worker", "mailer", "beat"):
        config = compose["services"][service]
        assert config["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert config["healthcheck"]["test"], service


def test_the_image_runs_as_an_unprivileged_user(compose, dockerfile) -> None:
    users = [
        arguments.split(":")[0] for instruction, arguments in dockerfile if instruction == "USER"
    ]

    assert users, "the Dockerfile must switch to a non-root USER"
    assert users[-1] not in {"root", "0"}
    for name, config in compose["services"].items():
        assert str(config.get("user", users[-1])).split(":")[0] not in {"root", "0"}, name


def _writable_paths(config: dict) -> dict[str, str]:
    """Mount path -> "tmpfs" or "volume" for a service."""
    tmpfs = config.get("tmpfs", [])
    paths = {
        entry.split(":")[0]: "tmpfs" for entry in ([tmpfs] if isinstance(tmpfs, str) else tmpfs)
    }
    for entry in config.get("volumes", []):
        paths[entry.split(":")[1] if isinstance(entry, str) else entry["target"]] = "volume"
    return paths


def _container_data_dir(dockerfile: list[tuple[str, str]]) -> str:
    """settings.DATA_DIR inside the image: the project sits at WORKDIR."""
    from django.conf import settings

    workdir = next(arguments for instruction, arguments in dockerfile if instruction == "WORKDIR")
    return str(Path(workdir) / Path(settings.DATA_DIR).relative_to(settings.BASE_DIR))


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_have_a_read_only_root_with_tmp_and_the_data_dir_writable(
    compose, dockerfile, service
) -> None:
    config = compose["services"][service]
    writable = _writable_paths(config)

    assert config["read_only"] is True
    assert writable.get("/tmp") == "tmpfs"
    # settings.py creates DATA_DIR at import, which fails on a read-only root.
    assert _container_data_dir(dockerfile) in writable


def test_beat_keeps_its_schedule_file_on_a_volume(compose, dockerfile) -> None:
    from django.conf import settings

    beat = compose["services"]["beat"]
    data_dir = _container_data_dir(dockerfile)
    volume = next(entry for entry in beat["volumes"] if entry.endswith(f":{data_dir}"))

    assert Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent == Path(settings.DATA_DIR)
    assert _writable_paths(beat)[data_dir] == "volume"
    assert volume.split(":")[0] in compose["volumes"]
    assert f"{data_dir}/celerybeat-schedule" in " ".join(beat["healthcheck"]["test"])


def test_collected_static_files_are_not_hidden_by_a_writable_mount(compose, dockerfile) -> None:
    static_root = next(
        word.split("=", 1)[1]
        for instruction, arguments in dockerfile
        if instruction == "ENV"
        for word in shlex.split(arguments)
        if word.startswith("STATIC_ROOT=")
    )

    for service in APP_SERVICES:
        for path in _writable_paths(compose["services"][service]):
            assert not Path(static_root).is_relative_to(path), (service, path)


def _queues(command: str) -> set[str]:
    words = command_words(command)
    return set(words[words.index("-Q") + 1].split(","))


def test_every_queue_a_task_is_routed_to_has_a_worker(compose, settings) -> None:
    """Sending runs on the mail queue (a hung mail server never holds up the scans): both
    in production (docker-compose.yml) and under `make run` (Procfile.dev)."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    queues = {settings.CELERY_TASK_DEFAULT_QUEUE, *routed}
    assert routed == {settings.MAIL_QUEUE}

    in_compose = [
        _queues(config["command"])
        for config in compose["services"].values()
        if "worker" in command_words(config.get("command", "") or "")[:4]
    ]
    assert set().union(*in_compose) == queues
    assert {settings.MAIL_QUEUE} in in_compose  # a worker of its own

    procfile = (ROOT / "Procfile.dev").read_text().splitlines()
    in_procfile = [_queues(line.split(":", 1)[1]) for line in procfile if " worker " in line]
    assert set().union(*in_procfile) == queues
    assert {settings.MAIL_QUEUE} in in_procfile
