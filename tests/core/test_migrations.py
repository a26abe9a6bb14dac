from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from yanyun.core.tables import Base
from yanyun.registry import import_all_models


def test_migrations_build_exactly_the_models_tables(engine):
    import_all_models()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
