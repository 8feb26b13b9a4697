-- wrk script: a realistic mix of page views, read from the file MIX_PATHS names (bench/mix.py
-- writes it; one "weight<TAB>path" a line), and a report of one line: p50/p95/p99 and the
-- errors, responses other than 2xx and 3xx (status_errors) among them.

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

-- Each thread draws its own sequence, the same from run to run.
local threads = 0

setup = function(thread)
  threads = threads + 1
  thread:set("number", threads)
end

init = function(args)
  math.randomseed(7919 * (number or 1))
end

-- The first entry whose running total reaches the pick (a binary search).
request = function()
  local pick = math.random() * total_weight
  local low, high = 1, #paths
  while low < high do
    local middle = math.floor((low + high) / 2)
    if paths[middle].limit < pick then
      low = middle + 1
    else
      high = middle
    end
  end
  return wrk.format("GET", paths[low].path)
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
