-- wrk script: one request per line of a file, the line put into the path and/or the body, and
-- non-2xx responses counted exactly (like bench/peer/wrk_post.lua).
--   WRK_LINES=codes.txt WRK_METHOD=POST WRK_BODY='{"code":"{x}"}' wrk -t2 -s bench/benefits/wrk_lines.lua URL
--   WRK_LINES=ids.txt WRK_METHOD=POST WRK_PATH='/api/v1/members/{x}/cards' wrk -t2 -s … URL
-- Thread k of WRK_THREADS (default 2, keep it equal to -t) takes lines k+1, k+1+WRK_THREADS, … so
-- no line is sent twice until every line has been sent once; then it starts again from its first
-- line (for a write such as issuing a card, a line sent twice is answered 409 and counted here).
-- done() prints "Non-2xx responses: N", "Wrapped: N" (threads that ran out of lines) and the first
-- non-2xx answer goes to stderr.

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

local lines = {}
local i, step, method, path_t, body_t
non2xx = 0
wrapped = 0

function init(args)
  local file = os.getenv("WRK_LINES")
  if not file or file == "" then error("wrk_lines.lua: set WRK_LINES") end
  step = tonumber(os.getenv("WRK_THREADS") or "2")
  local n = 0
  for line in io.lines(file) do
    if n % step == thread_id then table.insert(lines, line) end
    n = n + 1
  end
  if #lines == 0 then error("wrk_lines.lua: no lines for thread " .. thread_id) end
  method = os.getenv("WRK_METHOD") or "GET"
  path_t = os.getenv("WRK_PATH")
  body_t = os.getenv("WRK_BODY")
  if body_t == "" then body_t = nil end
  if body_t then wrk.headers["Content-Type"] = "application/json" end
  i = 0
end

function request()
  i = i + 1
  if i > #lines then i = 1; wrapped = 1 end
  local x = lines[i]
  local path = path_t and path_t:gsub("{x}", x) or nil
  local body = body_t and body_t:gsub("{x}", x) or nil
  return wrk.format(method, path, nil, body)
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
  local total, w = 0, 0
  for _, thread in ipairs(threads) do
    total = total + (tonumber(thread:get("non2xx")) or 0)
    w = w + (tonumber(thread:get("wrapped")) or 0)
  end
  io.write(string.format("Non-2xx responses: %d\n", total))
  io.write(string.format("Wrapped: %d\n", w))
end
