-- wrk script for bench/wrk.ts: replays requests signed beforehand in Node (wrk has no HMAC), each once.
-- Arguments after "--": the file prefix and the rate. Each wrk thread reads its own file (<prefix>.<thread id>): a header (path, host, key id, content type),
-- the bodies, then one line per request: "<body index> <timestamp> <nonce> <signature>". When the file
-- is used up the thread stops rather than repeat a nonce (the server would answer 401). With a rate (per
-- thread, requests/s) each request waits for its slot on the thread's schedule, whichever connection is
-- free; without one, every connection sends as soon as its previous answer is in.
-- done() prints "fsr-wrk <key> <number>" lines: the latency percentiles, the errors and, per thread, what
-- it sent and the CPU it used meanwhile (RUSAGE_THREAD), for the generator's own cost.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } fsr_timespec;
typedef struct { long tv_sec; long tv_usec; } fsr_timeval;
typedef struct { fsr_timeval ru_utime; fsr_timeval ru_stime; long ru_rest[14]; } fsr_rusage;
int clock_gettime(int clk_id, fsr_timespec *tp);
int getrusage(int who, fsr_rusage *usage);
unsigned long pthread_self(void);
]]
local CLOCK_MONOTONIC, RUSAGE_THREAD = 1, 1
local ts = ffi.new("fsr_timespec")
local ru = ffi.new("fsr_rusage")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end
local function cpu_us()
  ffi.C.getrusage(RUSAGE_THREAD, ru)
  return (tonumber(ru.ru_utime.tv_sec) + tonumber(ru.ru_stime.tv_sec)) * 1e6 + tonumber(ru.ru_utime.tv_usec) + tonumber(ru.ru_stime.tv_usec)
end

-- setup and done run in wrk's main Lua state, one call per thread.
local threads = {}
function setup(thread)
  thread:set("fsr_id", #threads)
  table.insert(threads, thread)
end

-- The rest runs in each thread's own state.
local heads, refs, bodies = {}, {}, {}
local n, i = 0, 0
local cpu0, t0
-- wrk calls request() once from its main thread to check the script's request: answered without using one.
local main_thread
-- What done() reads back through thread:get (numbers only cross states).
fsr_sent, fsr_cpu_us, fsr_wall_us, fsr_sampled, fsr_exhausted, fsr_active_us, fsr_loaded = 0, 0, 0, 0, 0, 0, 0

function init(args)
  main_thread = ffi.C.pthread_self()
  local file = assert(io.open(args[1] .. "." .. fsr_id, "rb"))
  local path, host, key_id, content_type = file:read("*l"), file:read("*l"), file:read("*l"), file:read("*l")
  local nbodies = tonumber(file:read("*l"))
  local lengths = {}
  for b = 1, nbodies do
    bodies[b] = file:read("*l")
    lengths[b] = #bodies[b]
  end
  local prefix = "POST " .. path .. " HTTP/1.1\r\nHost: " .. host .. "\r\nContent-Type: " .. content_type .. "\r\nX-Key-Id: " .. key_id .. "\r\nX-Timestamp: "
  for line in file:lines() do
    local b, stamp, nonce, sig = line:match("^(%d+) (%d+) (%x+) (%x+)$")
    if b then
      n = n + 1
      refs[n] = tonumber(b) + 1
      heads[n] = prefix .. stamp .. "\r\nX-Nonce: " .. nonce .. "\r\nX-Signature: " .. sig .. "\r\nContent-Length: " .. lengths[refs[n]] .. "\r\n\r\n"
    end
  end
  file:close()
  fsr_loaded = n
  local rate = tonumber(args[2]) or 0
  if rate > 0 then
    local period, next_at = 1e6 / rate, nil
    -- wrk waits whole milliseconds: a slot less than 1 ms away is sent now (the schedule itself never drifts).
    delay = function()
      local t = now_us()
      if next_at == nil then next_at = t end
      local wait = next_at - t
      next_at = next_at + period
      if wait < 1000 then return 0 end
      return math.floor(wait / 1000)
    end
  end
end

local function sample()
  fsr_cpu_us = cpu_us() - cpu0
  fsr_wall_us = now_us() - t0
  fsr_sampled = i - 1
end

-- Sent if a connection asks after the thread stopped; the stopped loop never reads its answer.
local idle = "POST /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"

function request()
  if ffi.C.pthread_self() == main_thread then return heads[1] .. bodies[refs[1]] end
  i = i + 1
  if i == 1 then
    cpu0, t0 = cpu_us(), now_us()
  elseif i > n then
    if fsr_exhausted == 0 then
      fsr_exhausted = 1
      sample()
      fsr_active_us = fsr_wall_us
      wrk.thread:stop()
    end
    return idle
  elseif i % 256 == 0 then
    sample()
  end
  fsr_sent = i
  return heads[i] .. bodies[refs[i]]
end

function done(summary, latency, requests)
  local function put(k, v) io.write("fsr-wrk ", k, " ", string.format("%.3f", tonumber(v) or 0), "\n") end
  put("requests", summary.requests)
  put("duration_us", summary.duration)
  for k, v in pairs(summary.errors) do put("errors." .. k, v) end
  put("latency.p50_us", latency:percentile(50))
  put("latency.p90_us", latency:percentile(90))
  put("latency.p99_us", latency:percentile(99))
  put("latency.p999_us", latency:percentile(99.9))
  put("latency.max_us", latency.max)
  put("latency.mean_us", latency.mean)
  for k, t in ipairs(threads) do
    for _, name in ipairs({ "sent", "cpu_us", "wall_us", "sampled", "exhausted", "active_us", "loaded" }) do
      put("thread" .. (k - 1) .. "." .. name, t:get("fsr_" .. name))
    end
  end
end
