-- wrk script: each request picks a path from the list in the PATHS environment variable (one per line),
-- and counts what the page cache answered (the X-Cache header: hit, stale (the page being made again,
-- given while another request makes it), miss, or none for a page it does not keep).
-- A longer list than an environment variable holds comes in a file named by PATHS_FILE.
local paths = {}
local listed = os.getenv("PATHS") or "/"
if os.getenv("PATHS_FILE") then
  local file = io.open(os.getenv("PATHS_FILE"))
  listed = file:read("*a")
  file:close()
end
for line in string.gmatch(listed, "[^\n]+") do
  table.insert(paths, line)
end
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
end

init = function(args)
  hits, stale, misses, uncached, non2xx = 0, 0, 0, 0, 0
end

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

response = function(status, headers, body)
  local state = headers["X-Cache"]
  if state == "hit" then
    hits = hits + 1
  elseif state == "stale" then
    stale = stale + 1
  elseif state == "miss" then
    misses = misses + 1
  else
    uncached = uncached + 1
  end
  if status >= 300 then
    non2xx = non2xx + 1
  end
end

done = function(summary, latency, requests)
  local h, s, m, u, bad = 0, 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    h, s, m = h + thread:get("hits"), s + thread:get("stale"), m + thread:get("misses")
    u, bad = u + thread:get("uncached"), bad + thread:get("non2xx")
  end
  io.write(string.format("requests %d, errors connect %d read %d write %d status %d timeout %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("p50 %.1f ms, p99 %.1f ms\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write(string.format("x-cache hit %d stale %d miss %d none %d non-2xx %d\n", h, s, m, u, bad))
end
