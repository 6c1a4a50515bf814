"""Smooth random curves over the frames of a sequence."""
import numpy as np


def smooth_signal(rng, n, periods=(40.0, 200.0), components=3):
    """A smooth random curve of length ``n``: 0 at t=0, typically within [-1, 1] (sum of slow sinusoids)."""
    t = np.arange(n, dtype=np.float64)
    amps = rng.uniform(0.3, 1.0, components)
    out = np.zeros(n)
    for amp in amps:
        out += amp * np.sin(2 * np.pi * t / rng.uniform(*periods) + rng.uniform(0, 2 * np.pi))
    out /= amps.sum()
    return out - out[0]


def ramp(rng, n):
    """A smooth monotone random curve from 0 (t=0) to 1 (last frame)."""
    if n < 2:
        return np.zeros(n)
    rates = rng.gamma(2.0, 1.0, n)
    kernel = np.ones(5) / 5.0
    rates = np.convolve(np.pad(rates, 2, mode="edge"), kernel, mode="valid")
    cum = np.cumsum(rates) - rates[0]
    return cum / cum[-1]
