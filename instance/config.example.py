# Local settings: copy to instance/config.py (git-ignored) and change what you need. Every
# setting can also come from the environment as PARTNERING_<NAME> (see README, Configuration).

# --- Rate limits -------------------------------------------------------------------------------
# Where the counts live. memory:// counts in each process: fine for `make run`; with several
# gunicorn workers or machines (production), share one Redis so that a limit holds across all.
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
#
# The limits, each "N per period", several joined with ";". A venue's Wi-Fi puts everyone on
# site behind one address: raise the per-client limits for a large event's on-site days.
# LIMIT_LOGIN_LINKS_PER_ADDRESS = "5 per 15 minutes; 20 per day"
# LIMIT_LOGIN_LINKS_PER_CLIENT = "30 per 10 minutes; 300 per day"
# LIMIT_REGISTRATIONS_PER_CLIENT = "30 per hour; 200 per day"
# LIMIT_MEETING_REQUESTS_PER_ACCOUNT = "60 per hour; 300 per day"
# LIMIT_FEED_FETCHES_PER_FEED = "60 per hour; 600 per day"
# RATELIMIT_ENABLED = False  # turns them all off
