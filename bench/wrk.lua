-- Requests cycle through the paths in WRK_PATHS (space-separated), with the Cookie header
-- WRK_COOKIE when it is set (a signed-in visitor); at the end one JSON line reports
-- throughput and latency percentiles for bench/run.py to read.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "summary.lua")
local paths = {}
for path in string.gmatch(os.getenv("WRK_PATHS") or "/", "%S+") do
  paths[#paths + 1] = path
end
local next_path = math.random(#paths)
local headers = {}
if os.getenv("WRK_COOKIE") then
  headers["Cookie"] = os.getenv("WRK_COOKIE")
end

request = function()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path], headers)
end

done = function(summary, latency, requests)
  io.write(summary_json(summary, latency))
end
