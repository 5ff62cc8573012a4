"""The door of the student model: what other apps may use of ``students``.

Other apps import this module (or ``students.services`` / ``students.selectors``), never
``students.models``, ``students.knowledge`` or ``students.kt`` directly: the import
contracts in ``pyproject.toml`` check it. Re-exported here: who may open what
(``students.access``), the roles, the real-time events module, the pure student model
that the tutor's pedagogy and simulator predict and update with (``students.kt`` and
``students.learning``: one implementation for the live tutor, the simulator and the
dashboards), and the concepts' fitted parameters.
"""

from students.access import ALL_ROLES, HasAreaRole, home_url_for, role_may_enter
from students.events import event_send, server_loop_bind, user_group
from students.knowledge import ConceptChange, concept_params, concept_params_for_course, default_params
from students.kt.bkt import BKTParams
from students.kt.model import AbilityState, ItemState, Prediction, observe_answer, predict_answer
from students.kt.numeric import logit, sigmoid
from students.learning import (
    ConceptKnowledge,
    KnowledgeUpdate,
    ReviewState,
    answer_evidence_weight,
    knowledge_update,
    review_after_answer,
)
from students.models import AttemptStatus, GradeSource, Role

__all__ = [
    "ALL_ROLES",
    "AbilityState",
    "AttemptStatus",
    "BKTParams",
    "ConceptChange",
    "ConceptKnowledge",
    "GradeSource",
    "HasAreaRole",
    "ItemState",
    "KnowledgeUpdate",
    "Prediction",
    "ReviewState",
    "Role",
    "answer_evidence_weight",
    "concept_params",
    "concept_params_for_course",
    "default_params",
    "event_send",
    "home_url_for",
    "knowledge_update",
    "logit",
    "observe_answer",
    "predict_answer",
    "review_after_answer",
    "role_may_enter",
    "server_loop_bind",
    "sigmoid",
    "user_group",
]
