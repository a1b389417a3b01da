-- wrk script for MatchPlan's load tests (scripts/bench, scripts/soak.py).
--
-- Usage: wrk -t2 -c16 -d12s -s scripts/wrk/rotate.lua http://127.0.0.1:8701 -- rotation.lua 2
-- (the last argument repeats wrk's thread count, which the script cannot see otherwise)
--
-- rotation.lua (written by scripts/bench/rotation.py) returns a list of complete requests
-- {method, path, headers, body}. Each wrk thread walks the list in a loop from its own
-- offset, so the threads do not send the same request at the same moment. Every response's
-- status is counted, and done() prints one JSON line starting with "@@WRK_JSON " that
-- scripts/bench/stats.py reads: wrk itself counts only non-2xx/3xx as errors, while the
-- harness must also catch, say, a 302 to the login page where a plan page was expected.

local threads = {}
local thread_count = 0

-- setup() runs in wrk's main Lua state, once per thread, just before that thread's init().
function setup(thread)
   thread:set("thread_index", thread_count)
   thread_count = thread_count + 1
   table.insert(threads, thread)
end

local requests = {}
local position = 1
statuses = {}

function init(args)
   local path = args[1]
   if path == nil then
      error("rotate.lua needs the rotation file: wrk ... -s rotate.lua URL -- rotation.lua")
   end
   local list = dofile(path)
   for i, r in ipairs(list) do
      requests[i] = wrk.format(r[1], r[2], r[3], r[4])
   end
   if #requests == 0 then
      error("empty rotation: " .. path)
   end
   local total = math.max(tonumber(args[2] or "1") or 1, 1)
   local stride = math.floor(#requests / total)
   position = ((thread_index or 0) * stride) % #requests + 1
end

function request()
   local r = requests[position]
   position = position % #requests + 1
   return r
end

function response(status, headers, body)
   local key = tostring(status)
   statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests_)
   local merged = {}
   for _, t in ipairs(threads) do
      local s = t:get("statuses")
      if s then
         for code, count in pairs(s) do
            merged[code] = (merged[code] or 0) + count
         end
      end
   end
   local parts = {}
   for code, count in pairs(merged) do
      table.insert(parts, string.format('"%s": %d', code, count))
   end
   local e = summary.errors
   io.write(string.format(
      '@@WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
         .. '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}, '
         .. '"statuses": {%s}}\n',
      summary.requests, summary.duration, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(95),
      latency:percentile(99), latency.max, latency.mean,
      table.concat(parts, ", ")
   ))
end
