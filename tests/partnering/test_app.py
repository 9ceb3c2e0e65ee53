import pytest

from partnering import create_app
from partnering.config import ConfigError, from_environment


def test_production_without_secret_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="PARTNERING_SECRET_KEY"):
        create_app({"PRODUCTION": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_environment_variables_override_with_decoded_values():
    env = {"PARTNERING_MAIL_PORT": "2525", "PARTNERING_SECRET_KEY": "s3cret", "OTHER": "x"}
    assert from_environment(env) == {"MAIL_PORT": 2525, "SECRET_KEY": "s3cret"}


def test_index_lists_events(client, create_event):
    create_event(name="Osaka Partnering Day")
    page = client.get("/")
    assert page.status_code == 200
    assert b"Osaka Partnering Day" in page.data


def test_event_home_shows_sessions_in_event_time(client, create_event):
    create_event()
    page = client.get("/e/osaka/")
    assert page.status_code == 200
    assert b"09:00" in page.data and b"Asia/Tokyo" in page.data


def test_unknown_event_is_404(client):
    assert client.get("/e/nope/").status_code == 404


def test_migrations_build_the_same_schema_as_the_models(tmp_path):
    from flask_migrate import upgrade
    from sqlalchemy import inspect

    from partnering.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db"})
    with app.app_context():
        upgrade()
        migrated = inspect(db.engine)
        for table in db.metadata.sorted_tables:
            columns = {c["name"] for c in migrated.get_columns(table.name)}
            assert columns == {c.name for c in table.columns}, table.name
