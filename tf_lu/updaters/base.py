"""Template updaters: one interface for every update method.

An updater is used as ``state = updater.init(theta_1)`` once and ``state, theta = updater.update(state, evidence)``
on every later frame.  ``evidence`` (:class:`FrameEvidence`) gives lazy access to what a method may need about the
frame just tracked: ``evidence.candidate()`` is ``g(x_t)``, the candidate model made from the target feature at the
predicted position (SiamFC: the exemplar feature itself); ``evidence.search_features()`` / ``evidence.peak`` serve
methods that learn from the search region.  A method that needs nothing computes nothing, so "no update" costs
nothing.  A new method is a new class registered in :data:`tf_lu.updaters.registry.UPDATERS` plus a config file.

The tracker itself calls the split form of ``update``, so that a method whose template is a TensorFlow computation
can run it inside the tracker's compiled search step of the next frame instead of in a graph call of its own (one
call per frame instead of two: about 2 ms less per frame on 2 CPU cores for the learned updater, docs/RESULTS.md 1):
``state, inputs = updater.defer(state, evidence)`` after a frame, then inside the next search
``theta, outputs = updater.template(inputs)``, then ``state = updater.settle(state, outputs)``.  The defaults do the
whole update in ``defer`` and pass theta through, so a method only overrides them when it wants the fused path.
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

    The tracker calls ``attach(head)`` once, so a method that scores templates (SGD) can use ``head.respond``.
    """

    head = None

    def attach(self, head):
        self.head = head

    def init(self, theta):
        raise NotImplementedError

    def update(self, state, evidence):
        raise NotImplementedError

    # --- the split form the tracker calls (see the module docstring); the defaults update eagerly ---------------
    def defer(self, state, evidence):
        """``(state, inputs)``: the frame is taken in; ``template(inputs)`` gives the next theta.  Default: update now."""
        return self.update(state, evidence)

    def template(self, inputs):
        """Runs inside the tracker's compiled search step: ``(theta, outputs for settle)``.  Default: inputs are theta."""
        return inputs, ()

    def settle(self, state, outputs):
        """Folds ``template``'s second output back into the state.  Default: nothing to fold."""
        return state


class NoUpdate(Updater):
    """theta_t = g(x_1): the first frame's model is kept."""

    def __init__(self, config=None):
        pass

    def init(self, theta):
        return theta

    def update(self, state, evidence):
        return state, state


class EMAUpdater(Updater):
    """theta_{t+1} = (1 - alpha) theta_t + alpha g(x_t)."""

    def __init__(self, config):
        if not 0.0 <= config.alpha <= 1.0:
            raise TfLuError(f"EMA alpha must lie in [0, 1], got {config.alpha}")
        self.alpha = float(config.alpha)

    def init(self, theta):
        return theta

    def update(self, state, evidence):
        theta = (1.0 - self.alpha) * state + self.alpha * tf.convert_to_tensor(evidence.candidate())
        return theta, theta
