-- The JSON line every benchmark script of wrk ends with (read by bench/wrk_summary.py):
-- throughput and latency percentiles, plus whatever fields the script adds (`extra`,
-- already formatted as `, "name": value`).
function summary_json(summary, latency, extra)
  local errors = summary.errors
  return string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "bad_status": %d%s}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    extra or ""
  )
end
