"""The model process's timing and sizing constants in one place, each with the reason for its value: they act on
each other (a prompt chunk's length, how long the app waits for a cancel, how often text crosses the pipe), so
they are read together here. The one an owner may need to change (how long a silent model process is tolerated)
is a setting: ``model_hang_seconds`` in wxbot/settings.py.
"""

from __future__ import annotations

# Prompt tokens per decode call: the model loads with n_batch = n_ubatch = this (local.py), and the compute buffer
# is sized by it. A cancel is seen between batches (on a GPU the only place it can be seen), so a batch must stay
# short; 256 also keeps the compute buffer small. How long one takes does not matter to the app's patience: it
# judges a cancel by the steps the model process reports, never by a clock (see worker.py).
PROMPT_BATCH = 256

# Prompt tokens evaluated per step while other replies are streaming: a 7B model on a CPU evaluates ~50 tokens a
# second, so a whole batch would hold every streaming reply for five seconds.
PROMPT_CHUNK_WHILE_DECODING = 64

# Replies decoded together on a CPU under auto, at most (fewer when free RAM cannot hold their contexts, see
# gpufit.auto_sequences): batching gains little there, and every context costs RAM.
CPU_SEQUENCES = 4
GPU_SEQUENCES = (8, 4, 2)  # tried under auto on a GPU, largest first

# Share of the free RAM the model (weights not yet mapped, every sequence's KV cache, the compute buffer) may take
# under auto; the rest is for the app, the state cache's first entries and the owner's other programs.
RAM_SHARE = 0.8

# Pieces go to the app at most this often (the first at once): one wake-up of the app per token costs a few per cent
# of decode speed on a small CPU, and a WeChat reply is sent whole anyway.
PIECE_INTERVAL_S = 0.02

# After a request finds the model idle, others arriving this soon join its first step: a burst of contacts has its
# prompts evaluated together instead of one after another while the first already generates.
GATHER_S = 0.01

# The model process reports a finished step at once when the app made a cancel before that step began (the app
# waits for exactly that report to know the cancel was seen), and otherwise at most this often: enough for the app
# to tell a working model process from a hung one (model_hang_seconds), without waking it at every token.
HEARTBEAT_S = 0.5

# Replies in flight at once through one ModelWorker (the child generates ``info.parallel`` of them, the rest wait
# there): the size of the shared cancel-flag array. A caller beyond it waits for a free ticket (cancellable).
MAX_CALLS = 32

# How often a caller waiting for its next piece (or for a free ticket) looks at its own cancel event: the event is
# a threading.Event of the bot's, which the pipe's reader cannot wait on together with the reply's queue.
CANCEL_POLL_S = 0.05

# At close: how long running replies get to end by their cancel, then how long the child gets to exit by itself
# before it is killed. Quitting the app should not hang on a model.
CLOSE_WAIT_S = 5.0
