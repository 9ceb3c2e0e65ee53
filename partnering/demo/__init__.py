"""A realistic demo event to try the app with: `flask --app partnering demo`."""

from partnering.demo.event import SLUG, DemoExists, create_demo, find_demo
from partnering.demo.logins import DemoLogin, demo_logins

__all__ = ["SLUG", "DemoExists", "DemoLogin", "create_demo", "demo_logins", "find_demo"]
