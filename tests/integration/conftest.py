# The grader fixtures (a tiny model trained once per session) serve the worker test too.
from tests.modeling.conftest import (  # noqa: F401
    _fresh_engine_cache,
    active_tiny,
    data_files,
    model_dir,
    register_tiny,
    tiny_model_folder,
)
