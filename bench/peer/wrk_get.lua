-- wrk script for plain GETs (URL and headers from the command line) that counts non-2xx
-- responses exactly: done() prints "Non-2xx responses: N" (wrk's own "Non-2xx or 3xx responses"
-- line only counts statuses > 399, so a redirect to a login page would pass unnoticed).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

non2xx = 0 -- global, so done() can read it through thread:get()

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
