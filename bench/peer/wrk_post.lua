-- wrk script: POST a JSON body, varied per request, and count non-2xx responses exactly.
--   WRK_BODY='{"title":"讨薪 {n}", ...}' wrk -t2 -s bench/peer/wrk_post.lua -H 'Authorization: …' URL
-- or give the body after `--`:  wrk … URL -- '{"title":"讨薪 {n}"}'
-- Each "{n}" in the body becomes a number unique across wrk's threads: WRK_START (default 1),
-- WRK_START+1, … interleaved between the WRK_THREADS (default 2, keep it equal to -t) threads,
-- so created titles are distinct and searchable.
-- done() prints "Non-2xx responses: N": wrk's own "Non-2xx or 3xx responses" line only counts
-- statuses > 399 and is absent when there are none.

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local template, first, step
local sent = 0
non2xx = 0 -- global, so done() can read it through thread:get()

function init(args)
  template = args[1] or os.getenv("WRK_BODY")
  if not template or template == "" then
    error("wrk_post.lua: no body (set WRK_BODY or pass it after --)")
  end
  step = tonumber(os.getenv("WRK_THREADS") or "2")
  first = tonumber(os.getenv("WRK_START") or "1") + thread_id
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local body = template:gsub("{n}", tostring(first + sent * step))
  sent = sent + 1
  return wrk.format("POST", nil, nil, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if non2xx == 1 then
      io.stderr:write(string.format("first non-2xx response: %d %s\n", status, (body or ""):sub(1, 300)))
    end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (tonumber(thread:get("non2xx")) or 0)
  end
  io.write(string.format("Non-2xx responses: %d\n", total))
end
