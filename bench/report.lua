-- wrk script: print requests/s, latency percentiles (ms) and non-2xx/3xx
-- counts as one line of JSON, for bench/run.py to read.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "rps": %.1f, "p50": %.3f, "p95": %.3f, "p99": %.3f, ' ..
    '"errors": %d, "bad_status": %d}\n',
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
