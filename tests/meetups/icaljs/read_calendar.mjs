// Reads an iCalendar file on stdin with Mozilla's ical.js and prints what it understood,
// as JSON: the calendar's UID and, for each event, its UID, status, sequence and the UTC
// instants of its start and end. Time zones come only from the file's own VTIMEZONEs,
// registered the way calendar clients built on ical.js do.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

const utc = (time) => new Date(time.toUnixTime() * 1000).toISOString();
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    status: vevent.getFirstPropertyValue("status"),
    sequence: event.sequence,
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: utc(event.startDate),
    end: utc(event.endDate),
  };
});

process.stdout.write(
  JSON.stringify({ uid: calendar.getFirstPropertyValue("uid"), events }) + "\n",
);
