-- wrk script: a realistic mix of page views, read from paths.txt beside this file
-- (one "weight<TAB>path" per line), and a report with p95 and the non-2xx/3xx responses.

local paths = {}
local total_weight = 0

local function load_paths(file_name)
  for line in io.lines(file_name) do
    local weight, path = line:match("^(%d+)\t(.+)$")
    if weight then
      total_weight = total_weight + tonumber(weight)
      table.insert(paths, { limit = total_weight, path = path })
    end
  end
end

load_paths(os.getenv("MIX_PATHS") or "bench/results/paths.txt")

request = function()
  local pick = math.random() * total_weight
  for _, entry in ipairs(paths) do
    if pick <= entry.limit then
      return wrk.format("GET", entry.path)
    end
  end
  return wrk.format("GET", paths[#paths].path)
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f " ..
    "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d status_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
