-- wrk script for `make stress`: rotates over public pages, counts responses by
-- status class and prints one JSON line at the end (tools/stress.py reads it).
local paths = {}
local counter = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for _, path in ipairs(args) do table.insert(paths, path) end
  s2, s3, s4, s5 = 0, 0, 0, 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  elseif status >= 300 then s3 = s3 + 1
  else s2 = s2 + 1 end
end

function done(summary, latency, requests)
  local t2, t3, t4, t5 = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    t2 = t2 + thread:get("s2"); t3 = t3 + thread:get("s3")
    t4 = t4 + thread:get("s4"); t5 = t5 + thread:get("s5")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p99_ms": %.1f}\n',
    summary.requests, t2, t3, t4, t5, e.connect, e.read, e.write, e.timeout,
    latency:percentile(99) / 1000))
end
