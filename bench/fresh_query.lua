-- wrk script: every request adds a parameter no page reads, unique per thread and request, so no
-- request finds its page in the page cache (the counts and ranked orders, kept by the filters'
-- values, are still found): what a list costs when it is rendered afresh.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  sent = 0
end

function request()
  sent = sent + 1
  return wrk.format(nil, wrk.path .. "&fresh=" .. thread_id .. "-" .. sent)
end
