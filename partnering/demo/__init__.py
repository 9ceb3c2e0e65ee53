"""A realistic demo event to try the app with: `flask --app partnering demo`."""

from partnering.demo.event import (
    SLUG,
    DemoExists,
    DemoLogin,
    create_demo,
    demo_logins,
    find_demo,
)

__all__ = ["SLUG", "DemoExists", "DemoLogin", "create_demo", "demo_logins", "find_demo"]
