"""Template updaters: one interface for every update method.

An updater is used as ``state = updater.init(theta_1)`` once and ``state, theta = updater.update(state, evidence)``
on every later frame.  ``evidence`` (:class:`FrameEvidence`) gives lazy access to what a method may need about the
frame just tracked: ``evidence.candidate()`` is ``g(x_t)``, the candidate model made from the target feature at the
predicted position (SiamFC: the exemplar feature itself); ``evidence.search_features()`` / ``evidence.peak`` serve
methods that learn from the search region.  A method that needs nothing computes nothing, so "no update" costs
nothing.  A new method is a new class registered in :data:`tf_lu.updaters.registry.UPDATERS` plus a config file.

**Graph form.**  The tracker's whole step is one TensorFlow function (:mod:`tf_lu.tracking.step`), so a method whose
per-frame step is a fixed computation also states it over tensors (``graph_form = True``):

* ``prepare(theta)`` runs once, eagerly, with a template of the tracker's shape (loads weights, builds layers);
* ``graph_init(theta_1) -> state``: a dict of tensors, each with a leading stream axis (B streams);
* ``graph_step(state, template, evidence) -> (state, template)``: ``template`` (B, h, w, C) is the model that located
  the target in this frame, the returned one locates it in the next; ``evidence`` is a :class:`FrameEvidence` whose
  entries carry the stream axis: ``candidate()`` (B, h, w, C), ``search_pyramid()`` (B, K, H, W, C), ``scale`` (B,)
  the chosen scale, ``peak`` (B, 2) float64 (row, col) on the raw response grid, ``confidence`` (B,).

A graph step that needs nothing of frame t but a few tensors (the learned updater: the target feature's window and
the confidence) may also state it in two halves (``deferred = True``): ``graph_inputs(evidence, template_side) ->
inputs`` (a dict of tensors, stream axis first) at frame t, ``pending_zeros(theta) -> inputs`` of no frame, and
``graph_advance(state, template, inputs) -> (state, template)``, which the tracker runs at the start of frame t+1,
beside that frame's crops and features (nothing links them), so the update's time overlaps the extractor's.  The
boxes are those of ``graph_step`` run at frame t.

A method without a graph form (SGD: an inner optimisation over a growing sample set) keeps ``graph_form = False``;
the tracker then runs its ``update`` on the host after each graph step, and exporting it is a :class:`TfLuError`.
"""
import dataclasses
from typing import Any, Callable

import tensorflow as tf

from tf_lu.errors import TfLuError


@dataclasses.dataclass
class FrameEvidence:
    """What the tracker knows about the frame it just tracked (lazy: nothing is computed unless asked)."""
    candidate: Callable[[], Any]          # () -> g(x_t), shaped like theta
    search_features: Callable[[], Any]    # () -> the chosen scale's search features (1, H, W, C)
    peak: Any = None                      # (row, col) of the response peak on the response grid
    confidence: float = 0.0               # peak value of the raw response (sigmoid of the logit)
    frame_index: int = 0
    search_pyramid: Callable[[], Any] = None   # () -> every scale's search features; search_features() is row `scale`
    scale: int = 0


class Updater:
    """Base class: ``init(theta_1) -> state`` and ``update(state, evidence) -> (state, theta)``.

    The tracker calls ``attach(head)`` once, so a method that scores templates (SGD) can use ``head.respond`` and one
    that makes its own candidates from search features (learned) projects them with ``head.g`` (identity for SiamFC,
    the correlation filter for CFNet).
    """

    head = None
    graph_form = False
    uses_candidate = True     # its graph step asks for evidence.candidate() (a new crop of the frame after the move)
    compiled_step = False     # its graph step is compiled by XLA (many small operations made one program)
    deferred = False          # its graph step is split in graph_inputs and graph_advance (the module docstring)

    def attach(self, head):
        self.head = head

    def init(self, theta):
        raise NotImplementedError

    def update(self, state, evidence):
        raise NotImplementedError

    # --- the graph form (see the module docstring) ------------------------------------------------------------------
    def prepare(self, theta):
        """Called once, eagerly, with a template of the tracker's shape, before any graph is traced."""

    def graph_init(self, theta):
        raise TfLuError(f"the {type(self).__name__} update runs on the host: it has no graph form to export")

    def graph_step(self, state, template, evidence):
        raise TfLuError(f"the {type(self).__name__} update runs on the host: it has no graph form to export")


class NoUpdate(Updater):
    """theta_t = g(x_1): the first frame's model is kept."""

    graph_form = True
    uses_candidate = False

    def __init__(self, config=None):
        pass

    def init(self, theta):
        return theta

    def update(self, state, evidence):
        return state, state

    def graph_init(self, theta):
        return {}

    def graph_step(self, state, template, evidence):
        return state, template


class EMAUpdater(Updater):
    """theta_{t+1} = (1 - alpha) theta_t + alpha g(x_t)."""

    graph_form = True

    def __init__(self, config):
        self.alpha = float(config.alpha)     # config: the section updater.ema (tf_lu.config.EmaConfig)

    def init(self, theta):
        return theta

    def blend(self, theta, candidate):
        return (1.0 - self.alpha) * theta + self.alpha * tf.convert_to_tensor(candidate)

    def update(self, state, evidence):
        theta = self.blend(state, evidence.candidate())
        return theta, theta

    def graph_init(self, theta):
        return {}

    def graph_step(self, state, template, evidence):
        return state, self.blend(template, evidence.candidate())
