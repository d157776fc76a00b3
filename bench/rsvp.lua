-- The RSVP race in wrk: one wrk thread per member, each with one keep-alive connection,
-- posting the RSVP form for one meetup after another, back to back (or RSVP then cancel). RSVP_PLAN names a file
-- written by bench/rsvp_race.py with one line per member:
--   <session cookie> <csrf token> <meetup id>,<meetup id>,...
-- Cookie names come from RSVP_SESSION_COOKIE and RSVP_CSRF_COOKIE. At the end one JSON
-- line reports the totals and, per member, how many RSVPs were answered and which answers
-- (by position in the member's list) were refused with a 4xx or 5xx.

dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "summary.lua")

local members = {}

function setup(thread)
  members[#members + 1] = thread
  thread:set("member", #members)
end

function init(args)
  local n = 0
  for line in io.lines(os.getenv("RSVP_PLAN")) do
    n = n + 1
    if n == member then
      local session, csrf, ids = string.match(line, "^(%S+) (%S+) (%S+)$")
      meetups = {}
      for id in string.gmatch(ids, "%d+") do
        meetups[#meetups + 1] = id
      end
      headers = {
        ["Cookie"] = os.getenv("RSVP_SESSION_COOKIE") .. "=" .. session .. "; "
          .. os.getenv("RSVP_CSRF_COOKIE") .. "=" .. csrf,
        ["X-CSRFToken"] = csrf,
        ["Content-Type"] = "application/x-www-form-urlencoded",
      }
    end
  end
  answered, refused = 0, {}
end

-- One connection per member and no pipelining, so a member's next request is built only
-- after the previous answer: the next meetup is the one after the answered ones. (wrk
-- also builds one request in advance to check the script, so request() must not count.)
-- The plan is longer than any run can use; past its end the member repeats its last RSVP,
-- which changes nothing, and the check reports the plan as too short.
-- With RSVP_TOGGLE set, every other request cancels the RSVP just made (RSVP, cancel, then
-- the next meetup), so seats are freed and waitlists promoted all the time.
local toggle = os.getenv("RSVP_TOGGLE") == "1"

function request()
  if toggle then
    local id = meetups[math.min(math.floor(answered / 2) + 1, #meetups)]
    local action = answered % 2 == 0 and "/rsvp/" or "/cancel/"
    return wrk.format("POST", "/meetups/" .. id .. action, headers, "")
  end
  local id = meetups[math.min(answered + 1, #meetups)]
  return wrk.format("POST", "/meetups/" .. id .. "/rsvp/", headers, "")
end

function response(status, headers, body)
  answered = answered + 1
  if status >= 400 then
    refused[#refused + 1] = answered
  end
end

function done(summary, latency, requests)
  local parts = {}
  for _, thread in ipairs(members) do
    parts[#parts + 1] = string.format(
      '{"member": %d, "answered": %d, "refused": [%s]}',
      thread:get("member"), thread:get("answered"),
      table.concat(thread:get("refused"), ",")
    )
  end
  io.write(summary_json(summary, latency, ', "members": [' .. table.concat(parts, ", ") .. "]"))
end
