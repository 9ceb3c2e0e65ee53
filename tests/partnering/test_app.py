from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect

from partnering import PROJECT_ROOT, create_app
from partnering.config import INSTANCE_PATH_VARIABLE
from partnering.extensions import db
from tests.keys import TEST_SECRET_KEY


def test_environment_variables_override_the_instance_config_file_with_decoded_values(
    tmp_path, monkeypatch
):
    (tmp_path / "config.py").write_text(
        f'SQLALCHEMY_DATABASE_URI = "sqlite:///{tmp_path}/x.db"\n'
        'MAIL_SENDER = "Osaka Day <day@example.org>"\n'
        "MAIL_PORT = 25\n"
    )
    monkeypatch.setenv("PARTNERING_MAIL_PORT", "2525")
    monkeypatch.setenv("PARTNERING_MAIL_USE_TLS", "true")
    monkeypatch.setenv("PARTNERING_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("OTHER_MAIL_SENDER", "x")
    app = create_app(instance_path=tmp_path)
    assert app.config["MAIL_SENDER"] == "Osaka Day <day@example.org>"
    assert app.config["MAIL_PORT"] == 2525 and app.config["MAIL_USE_TLS"] is True
    assert app.config["SECRET_KEY"] == TEST_SECRET_KEY


def test_the_instance_folder_by_argument_environment_or_checkout(tmp_path, monkeypatch):
    settings = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
    }
    monkeypatch.setenv(INSTANCE_PATH_VARIABLE, str(tmp_path / "from-env"))
    assert create_app(settings).instance_path == str(tmp_path / "from-env")
    given = create_app(settings, instance_path=tmp_path / "given")
    assert given.instance_path == str(tmp_path / "given")
    monkeypatch.delenv(INSTANCE_PATH_VARIABLE)
    assert create_app(settings).instance_path == str(PROJECT_ROOT / "instance")
    assert not (tmp_path / "from-env").exists() and not (tmp_path / "given").exists()


def test_without_a_database_setting_the_database_is_in_the_instance_folder(tmp_path):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY}, instance_path=tmp_path / "instance"
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/instance/partnering.db"


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


def test_migrations_build_the_same_schema_as_the_models(database_url, empty_database):
    """All migrations on an empty database give what the models declare: alembic's comparison
    (tables, columns, types, nullability, defaults, keys, indexes, unique constraints) finds
    nothing to do; and what alembic does not compare, the WHERE of partial indexes and the
    check constraints (names and conditions), is the same as in the schema the same database
    makes from the models."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "SQLALCHEMY_DATABASE_URI": database_url}
    )
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True}
            )
            differences = [str(d) for d in compare_metadata(context, db.metadata)]
            migrated = partial_index_predicates(connection)
            migrated_checks = check_constraints(connection)
        db.engine.dispose()
    models = create_engine(empty_database("models"))
    db.metadata.create_all(models)
    with models.connect() as connection:
        declared = partial_index_predicates(connection)
        declared_checks = check_constraints(connection)
    models.dispose()
    differences += [
        f"partial index {name}: WHERE {migrated.get(name)} after migrations,"
        f" WHERE {declared.get(name)} in the models"
        for name in sorted(migrated.keys() | declared.keys())
        if migrated.get(name) != declared.get(name)
    ]
    differences += [
        f"check constraint {table}.{name}: CHECK {migrated_checks.get((table, name))} after"
        f" migrations, CHECK {declared_checks.get((table, name))} in the models"
        for table, name in sorted(migrated_checks.keys() | declared_checks.keys())
        if migrated_checks.get((table, name)) != declared_checks.get((table, name))
    ]
    assert declared_checks, "the models declare check constraints: none was read back"
    assert not differences, "\n".join(differences)


def partial_index_predicates(connection) -> dict[str, str]:
    """{index name: its WHERE as the database reports it, without spaces (SQLite keeps the
    text of the CREATE INDEX)} for the partial indexes."""
    inspector = inspect(connection)
    option = f"{connection.dialect.name}_where"
    return {
        index["name"]: "".join(str(index["dialect_options"][option]).split())
        for table in inspector.get_table_names()
        for index in inspector.get_indexes(table)
        if index.get("dialect_options", {}).get(option) is not None
    }


def check_constraints(connection) -> dict[tuple[str, str], str]:
    """{(table, constraint name): its condition as the database reports it, without spaces}.
    An unnamed check is listed under its condition, so that it cannot go unnoticed."""
    inspector = inspect(connection)
    checks = {}
    for table in inspector.get_table_names():
        for check in inspector.get_check_constraints(table):
            condition = "".join(check["sqltext"].split())
            checks[(table, check["name"] or f"unnamed {condition}")] = condition
    return checks
