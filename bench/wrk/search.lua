-- Full-text searches: one or two words from the generated corpus's vocabulary, some
-- matching most docs, some few.
local words = {"cache", "shard", "replica", "token", "budget", "queue", "worker", "schema",
  "tenant", "quota", "retry", "timeout", "snapshot", "partition", "gateway", "latency"}
local pause = tonumber(os.getenv("DELAY_MS") or "20")
math.randomseed(7)
function delay() return pause end
function request()
  local q = words[math.random(#words)]
  if math.random() < 0.5 then q = q .. "+" .. words[math.random(#words)] end
  return wrk.format("GET", "/search?q=" .. q)
end
