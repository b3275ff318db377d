"""The one typed settings model: every option's type, default and meaning in one place.

Values come from defaults, then ``settings.json`` in the data dir, then ``WXBOT_<NAME>`` environment
variables. A bad file or value raises ConfigError naming the key and the value; the file is never
rewritten behind the owner's back. Personal text (persona, FAQ answers, away message) is marked
``personal``: it is kept in the encrypted store, not in the plain JSON file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from wxbot.envsecrets import taken
from wxbot.errors import ConfigError
from wxbot.files import private_dir, replace_private
from wxbot.validation import (
    FAQ_MAX_RULES,
    JSON_MAX_BYTES,
    bad,
    check_faq_rule,
    check_url,
    check_value,
    parse_json,
)

APP_NAME = "wxbot"
SETTINGS_FILE = "settings.json"

DEFAULT_PERSONA = (
    "你是店主的微信助理，代表店主礼貌、简洁地回复客户。用中文回答，每次回复不超过三句话；"
    "不确定的事情请说会转告店主，不要编造价格、库存或承诺。"
)


TEXT_MAX_CHARS = 10_000  # any text setting (paths, URLs, away message…)
PERSONA_MAX_CHARS = 4000
PREFIX_MAX_CHARS = 50
OWNER_MESSAGE_MAX_CHARS = 2000  # a message the owner types in the window: sent whole (their words are never split)
MAX_PARALLEL_REPLIES = 16  # replies generated at once, at most (the bot's pool of generation threads)


def _opt(default: Any, doc: str, *, personal: bool = False, minimum: float | None = None,
         maximum: float | None = None, choices: tuple[str, ...] | None = None, max_len: int | None = None) -> Any:
    if max_len is None and isinstance(default, (str, list)):
        max_len = TEXT_MAX_CHARS if isinstance(default, str) else FAQ_MAX_RULES
    meta = {"doc": doc, "personal": personal, "min": minimum, "max": maximum, "choices": choices, "max_len": max_len}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: json.loads(json.dumps(default)), metadata=meta)
    return field(default=default, metadata=meta)


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def app_root() -> Path:
    """The folder beside the executable (frozen) or the source checkout: where ``models/`` lives."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


@dataclass
class Settings:
    # --- where things live
    data_dir: str = _opt("", "Data directory (database, session, logs). Empty = the OS per-user app data dir.")
    # --- model
    model_path: str = _opt("", "GGUF model file. Empty = the first .gguf found in models/.")
    context_size: int = _opt(4096, "Model context window in tokens.", minimum=512, maximum=131072)
    gpu_layers: str = _opt("auto", "Layers offloaded to the GPU: 'auto' (fit to free VRAM) or a number (0 = CPU).")
    threads: int = _opt(0, "CPU threads for the model; 0 = automatic.", minimum=0, maximum=256)
    temperature: float = _opt(0.6, "Sampling temperature (DeepSeek-R1: 0.5-0.7, 0.6 recommended, against endless "
                                   "repetition).", minimum=0.0, maximum=2.0)
    top_p: float = _opt(0.95, "Nucleus sampling: only the most likely tokens that add up to this share (DeepSeek-R1: "
                              "0.95).", minimum=0.01, maximum=1.0)
    repeat_penalty: float = _opt(1.1, "Penalty on tokens of the last 64 (1.0 = none; 1.1 as Ollama: small quantized "
                                      "models loop without it).", minimum=1.0, maximum=2.0)
    max_reply_tokens: int = _opt(1024, "Longest generation in tokens, DeepSeek-R1's thinking included (the visible "
                                       "reply is capped by max_reply_parts).", minimum=16, maximum=8192)
    reasoning: str = _opt("off", "How long a reasoning model (DeepSeek-R1) thinks before it answers: off (its think "
                          "block is closed before it starts: the answer comes at once), brief (at most "
                          "reasoning_budget tokens, then it must answer) or full. Off by default: a customer waits "
                          "in the chat, a shop's answers come from its knowledge base rather than from reasoning, "
                          "and on a CPU every 100 tokens of thought are ten or more seconds of silence.",
                          choices=("off", "brief", "full"))
    reasoning_budget: int = _opt(128, "Tokens a reply may think under reasoning = brief before </think> is forced "
                                      "(about 15 s on a CPU with a 7B model, 2 s on an RTX 3060).",
                                 minimum=1, maximum=8192)
    model_hang_seconds: float = _opt(120.0, "A model process that finishes no step (one token, or one prompt chunk of "
                                            "256 tokens) for this long while a reply waits is taken for hung and "
                                            "restarted. A slow step is never mistaken for a failed cancel.",
                                     minimum=1.0, maximum=3600.0)
    context_shift: bool = _opt(True, "When a chat's oldest turns leave the prompt, cut them out of the model's memory "
                                     "and move the rest instead of evaluating the history again (approximate, "
                                     "as llama-server's context shift).")
    parallel_replies: int = _opt(0, "How many contacts' replies are generated at once (one model pass decodes them "
                                    "together); 0 = automatic: 4 on a CPU, 8 on a GPU, fewer when their contexts do "
                                    "not fit in free RAM or VRAM; 4 for a server.", minimum=0, maximum=MAX_PARALLEL_REPLIES)
    state_cache_mb: int = _opt(1024, "RAM for per-contact model states (fast multi-turn chats).", minimum=0, maximum=65536)
    llm_backend: str = _opt("local", "Which engine answers: 'local' (the GGUF model on this PC) or 'openai' (an "
                            "OpenAI-compatible server: llama-server, vLLM, Ollama, LM Studio, the DeepSeek API).",
                            choices=("local", "openai"))
    openai_base_url: str = _opt("", "OpenAI-compatible server address, usually ending in /v1, "
                                "e.g. http://192.168.1.20:8080/v1.")
    openai_model: str = _opt("", "Model name on that server; empty = the first model the server lists.")
    openai_timeout: float = _opt(120.0, "Longest wait for one reply from the server, in seconds.",
                                 minimum=5.0, maximum=3600.0)
    openai_tokenizer: str = _opt("", "A GGUF of the served model's family (the first part of a download will do), "
                                 "read vocab-only to count tokens when the server cannot; empty = the server's "
                                 "own tokenizer, else an estimate.")
    # --- replies
    persona: str = _opt(DEFAULT_PERSONA, "System prompt: who the assistant is and how it answers.", personal=True,
                        max_len=PERSONA_MAX_CHARS)
    reply_prefix: str = _opt("[AI] ", "Text put before every automatic reply so contacts know it is the assistant "
                                      "(at most half of reply_part_chars).", max_len=PREFIX_MAX_CHARS)
    history_turns: int = _opt(10, "How many recent messages (5 rounds) of a contact are given to the model.",
                              minimum=0, maximum=200)
    history_token_budget: int = _opt(1536, "Token budget for those recent messages.", minimum=0, maximum=131072)
    max_question_chars: int = _opt(2000, "Longest question (quick messages merged) given to the model; the rest is cut.",
                                   minimum=50, maximum=65536)
    max_reply_parts: int = _opt(3, "Most WeChat messages one model reply may take; the model stops there.",
                                minimum=1, maximum=20)
    reply_part_chars: int = _opt(600, "Longest single WeChat message; longer replies are split at sentences.",
                                 minimum=20, maximum=2000)
    faq_rules: list = _opt([], "FAQ rules, answered as written without the model: [{'match': 'examples', "
                           "'examples': [example customer questions], 'answer': str}], or the older "
                           "{'match': 'exact|contains|regex', 'pattern': str, 'answer': str}.", personal=True)
    faq_min_similarity: float = _opt(0.45, "How alike a question must be to a rule's example questions for the "
                                     "rule to answer (0-1; the best rule and the knowledge base's best passage "
                                     "are then compared, and the better one answers). A question that says what "
                                     "an example says is answered at once.", minimum=0.05, maximum=1.0)
    non_text_reply: str = _opt("", "Reply to images, voice, files…; empty = no reply.", personal=True)
    speech_model: str = _opt("", "Speech-recognition model for voice messages: a key of the Models page's speech list "
                             "(downloaded into models/speech/) or the path of a CTranslate2 Whisper folder; empty = "
                             "voice messages get non_text_reply.")
    speech_language: str = _opt("zh", "Language voice messages are heard in (a Whisper code such as zh, en, yue); "
                                "empty = detected per message.")
    speech_hotwords: str = _opt("", "Words voice messages often hold that the speech model should expect: your product "
                                "names, sizes, brands, separated by spaces (连衣裙 M码 羊毛围巾).", personal=True,
                                max_len=500)
    speech_min_confidence: float = _opt(0.5, "A transcript the speech model is less sure of than this (its own average "
                                        "token probability, 0-1) becomes a draft for the owner instead of an answer.",
                                        minimum=0.0, maximum=1.0)
    speech_max_seconds: int = _opt(60, "Longest stretch of a voice message transcribed (WeChat's own limit is 60 s); the "
                                   "rest is cut off.", minimum=1, maximum=600)
    speech_idle_seconds: int = _opt(300, "The speech model's process is ended after this many idle seconds (memory back); "
                                    "the next voice message loads it again.", minimum=10, maximum=86400)
    picture_ocr: bool = _opt(True, "Read the text in pictures (order and payment screenshots) when the OCR extra is "
                             "installed (pip install wxbot[ocr]).")
    picture_drafts: bool = _opt(True, "A picture with text is answered as a draft the owner checks (screenshots of "
                                "orders and payments want a person), its order numbers, amounts and phone numbers "
                                "shown in the notice; off = answered like text.")
    picture_max_side: int = _opt(1600, "Pictures are scaled down to at most this many pixels on the long side before "
                                 "their text is read (bounded time and memory).", minimum=320, maximum=8000)
    kb_fallback_text: str = _opt("这个我确认一下再回复您", "Sent, exactly as written, when a customer asks a factual "
                                 "question (price, stock, shipping, refund, invoice) the knowledge base has no "
                                 "passage for; empty = no reply.", personal=True)
    kb_top_k: int = _opt(5, "How many knowledge-base passages a question retrieves.", minimum=1, maximum=50)
    kb_quote_passages: int = _opt(0, "Answer a question the knowledge base holds with its best N passages exactly "
                                  "as written (no model: instant, digits as in the file); 0 = the model answers "
                                  "from them.", minimum=0, maximum=5)
    kb_token_budget: int = _opt(768, "Token budget for knowledge-base passages in the prompt (the best kept first).",
                                minimum=0, maximum=131072)
    # --- who gets a reply
    new_contact_mode: str = _opt("off", "What newly seen private contacts get: off, draft (the owner approves each "
                                 "reply) or auto. Groups always start off.", choices=("off", "draft", "auto"))
    draft_notices: bool = _opt(True, "Tell the owner about each new draft in File Transfer Helper, with #ok N / "
                               "#no N / #edit N to answer it from the phone.")
    draft_notice_seconds: int = _opt(30, "Drafts made within this many seconds of the last notice wait and go out "
                                     "together in one notice.", minimum=0, maximum=3600)
    draft_expire_minutes: int = _opt(120, "A draft not sent within this time expires; its messages are marked missed. "
                                     "0 = never.", minimum=0, maximum=10080)
    draft_when_unsure: bool = _opt(True, "Once the knowledge base has documents: in auto mode, a reply the bot is "
                                   "unsure of (a factual question no passage answers, or output the degenerate-output "
                                   "guard held back) becomes a draft for the owner instead of being sent or dropped.")
    handoff_line: str = _opt("好的，我请店主马上来处理，请稍等～", "Sent once, exactly as written, when a customer complains, "
                             "asks for a refund or for a person: the contact then waits for the owner (no automatic "
                             "replies, drafts still made) until the owner writes to them, #done NAME or 处理完; "
                             "empty = the owner is told, the customer hears nothing.", personal=True)
    draft_holding_line: str = _opt("稍等，我帮您确认一下～", "Sent at once, exactly as written, when an auto-mode "
                                   "question becomes a draft because the bot is unsure (once per draft; never to "
                                   "draft-mode contacts); empty = silence.", personal=True)
    prefix_owner_words: bool = _opt(False, "Put reply_prefix before drafts the owner edited too (off: the owner's own "
                                    "words go out without it).")
    takeover_minutes: int = _opt(10, "Pause a contact this long after the owner writes to them by hand.",
                                 minimum=0, maximum=1440)
    stale_message_seconds: int = _opt(120, "Messages older than this on arrival are stored, not answered.",
                                      minimum=0, maximum=86400)
    aggregate_seconds: float = _opt(3.0, "Quick messages from one contact within this window get one reply.",
                                    minimum=0.0, maximum=60.0)
    service_hours: str = _opt("", "Hours when the bot answers, e.g. '09:00-21:00' (may cross midnight); empty = always.")
    away_message: str = _opt("", "Sent once outside service hours; empty = nothing.", personal=True)
    metrics_port: int = _opt(0, "Serve Prometheus metrics on 127.0.0.1 at this port (no contact ids or text in "
                             "them); 0 = off.", minimum=0, maximum=65535)
    daily_summary_hour: int = _opt(-1, "Hour (0-23, local time) at which a summary of the day goes to File Transfer "
                                   "Helper, once a day; -1 = off.", minimum=-1, maximum=23)
    # --- pacing (protects the account)
    min_seconds_between_replies: float = _opt(5.0, "Per-contact minimum seconds between replies.",
                                              minimum=0.0, maximum=3600.0)
    max_replies_per_minute: int = _opt(8, "Global cap on replies per minute.", minimum=0, maximum=1000)
    max_replies_per_day: int = _opt(300, "Global cap on replies per day.", minimum=0, maximum=100000)
    typing_delay_base: float = _opt(1.5, "Base human-like delay before a reply, seconds.", minimum=0.0, maximum=120.0)
    typing_delay_per_char: float = _opt(0.05, "Extra delay per reply character, seconds.", minimum=0.0, maximum=5.0)
    typing_delay_max: float = _opt(15.0, "Ceiling of the human-like delay, however long the reply, seconds.",
                                   minimum=0.0, maximum=600.0)
    overlap_pacing: bool = _opt(True, "Generate the next contact's reply while earlier replies wait out their "
                                      "delays (off: one reply at a time, generation included).")
    loop_guard_exchanges: int = _opt(8, "Stop answering a contact after this many rapid back-and-forth exchanges.",
                                     minimum=0, maximum=1000)
    loop_guard_window_seconds: int = _opt(300, "Time window of the loop guard.", minimum=1, maximum=86400)
    # --- store
    retention_days: int = _opt(0, "Delete history older than this many days; 0 = keep everything.",
                               minimum=0, maximum=36500)
    inbox_expire_minutes: int = _opt(30, "Interrupted work older than this at start-up is expired, not answered.",
                                     minimum=0, maximum=10080)
    # --- knowledge base
    kb_embedding_model: str = _opt("", "GGUF embedding model for semantic knowledge-base search: a path, a file in "
                                   "models/ or a catalog key such as bge-small-zh (see `wxbot models`); empty = a "
                                   "catalog embedding model found in models/, else keyword search only.")
    kb_min_coverage: float = _opt(0.3, "Confidence the best passages need to answer a question (the rarity-weighted "
                                  "share of its words they hold); below it, search finds nothing.",
                                  minimum=0.0, maximum=1.0)
    kb_min_similarity: float = _opt(0.0, "Cosine similarity a passage needs in semantic search; 0 = the catalog "
                                    "value for a known embedding model, else 0.75.", minimum=0.0, maximum=1.0)
    kb_passage_chars: int = _opt(400, "Longest knowledge-base passage cut from prose (Word, PDF, text), characters.",
                                 minimum=50, maximum=4000)
    kb_max_file_mb: int = _opt(50, "Largest file the knowledge base imports, MB.", minimum=1, maximum=2048)
    kb_max_passages: int = _opt(50000, "Most passages (rows, paragraphs) one imported file may hold.",
                                minimum=1, maximum=1000000)
    kb_max_cells: int = _opt(2_000_000, "Most non-empty cells one imported spreadsheet (or Word tables) may hold.",
                             minimum=1, maximum=100_000_000)
    kb_max_unpacked_mb: int = _opt(200, "Most an Office file (.xlsx, .docx) may unpack to, MB; a zip bomb is refused "
                                   "before it is opened.", minimum=1, maximum=16384)
    kb_import_seconds: int = _opt(300, "Longest one file's reading may take, seconds; past it the import stops "
                                  "in words (the knowledge base is left as it was).", minimum=1, maximum=86400)
    # --- WeChat
    wechat_base_url: str = _opt("", "Login server base URL; empty = WeChat's own. Tests and the demo use the simulator.")
    # --- app
    language: str = _opt("auto", "UI language.", choices=("auto", "zh", "en"))
    log_level: str = _opt("INFO", "Console and file log level.", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    risk_acknowledged: bool = _opt(False, "The owner has read the account-risk notice.")
    guide_done: bool = _opt(False, "The first-run guide was shown (it opens again from Settings).")

    # ------------------------------------------------------------------ paths
    @property
    def data_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir else default_data_dir()

    @property
    def log_dir(self) -> Path:
        if self.data_dir:
            return Path(self.data_dir) / "logs"
        return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))

    @property
    def models_dirs(self) -> list[Path]:
        return [app_root() / "models", self.data_path / "models"]

    def gpu_layers_value(self) -> int | None:
        """None for automatic fitting, else the fixed layer count."""
        return None if self.gpu_layers == "auto" else int(self.gpu_layers)

    def replace(self, **changes: Any) -> Settings:
        new = dataclasses.replace(self, **changes)
        new.validate()
        return new

    # ------------------------------------------------------------------ validation
    def validate(self) -> None:
        for f in fields(self):
            setattr(self, f.name, check_value(f, getattr(self, f.name)))
        if self.max_reply_tokens * 2 > self.context_size:  # else the prompt has no room and every reply fails
            bad("max_reply_tokens", self.max_reply_tokens, f"不超过 context_size（{self.context_size}）的一半",
                f"at most half of context_size ({self.context_size})")
        if len(self.reply_prefix) * 2 > self.reply_part_chars:  # else the splitter has no room for the reply
            bad("reply_prefix", self.reply_prefix, f"不超过 reply_part_chars（{self.reply_part_chars}）一半的长度",
                 f"at most half of reply_part_chars ({self.reply_part_chars}) long")
        if self.gpu_layers != "auto":
            try:
                if int(self.gpu_layers) < 0:
                    raise ValueError
            except ValueError:
                bad("gpu_layers", self.gpu_layers, "'auto' 或非负整数", "'auto' or a non-negative integer")
        if self.service_hours:
            parse_service_hours(self.service_hours)
        if self.llm_backend == "openai" or self.openai_base_url:  # checked where set: a bad one fails in words
            check_url("openai_base_url", self.openai_base_url)
        if self.wechat_base_url:
            check_url("wechat_base_url", self.wechat_base_url)
        for i, rule in enumerate(self.faq_rules):
            check_faq_rule(i, rule)


_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_service_hours(text: str) -> tuple[int, int]:
    """'09:00-21:00' -> (540, 1260) minutes after midnight; the end may be before the start (across midnight)."""
    m = _HOURS.match(text)
    if not m:
        bad("service_hours", text, "形如 09:00-21:00 的时间段", "a range like 09:00-21:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        bad("service_hours", text, "合法的时间", "valid times of day")
    return h1 * 60 + m1, h2 * 60 + m2


# ---------------------------------------------------------------------- loading and saving
def _from_env_text(f: dataclasses.Field, text: str) -> Any:
    if f.type == "str":
        return text
    if f.type == "bool":
        low = text.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        bad(f.name, text, "true 或 false", "true or false")
    try:
        if f.type == "int":
            return int(text)
        if f.type == "float":
            return float(text)
        return parse_json(text, f"WXBOT_{f.name.upper()}")
    except ValueError:
        bad(f.name, text, f"{f.type} 类型", f"a value of type {f.type}")


def env_overrides(environ: dict[str, str] | None = None) -> dict[str, Any]:
    if environ is None:  # the process environment, with the secrets the CLI took out of it at start-up
        environ = {**os.environ, **taken()}
    out: dict[str, Any] = {}
    for f in fields(Settings):
        name = f"WXBOT_{f.name.upper()}"
        if name in environ:
            out[f.name] = _from_env_text(f, environ[name])
    if "WXBOT_MODEL" in environ:  # the short name services use
        out["model_path"] = environ["WXBOT_MODEL"]
    return out


def settings_file(data_dir: Path) -> Path:
    return data_dir / SETTINGS_FILE


def read_settings_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    if path.stat().st_size > JSON_MAX_BYTES:  # never read a huge file into memory
        raise ConfigError(f"设置文件 {path} 太大", f"settings file {path} is too large")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"设置文件 {path} 无法解析：{exc}", f"settings file {path} does not parse: {exc}") from exc
    raw = parse_json(text, f"设置文件 {path} (settings file {path})")
    if not isinstance(raw, dict):
        raise ConfigError(f"设置文件 {path} 应为 JSON 对象", f"settings file {path} must hold a JSON object")
    if "auto_reply_new_contacts" in raw:  # written before per-contact modes: keep the owner's choice
        raw.setdefault("new_contact_mode", "auto" if raw.pop("auto_reply_new_contacts") is True else "off")
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"设置文件 {path} 含未知设置项 {unknown[0]}", f"settings file {path} has unknown key {unknown[0]}")
    return raw


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Defaults < settings.json < WXBOT_* environment. Raises ConfigError naming the bad key and value."""
    env = env_overrides(environ)
    data_dir = Path(env["data_dir"]) if env.get("data_dir") else default_data_dir()
    values = read_settings_file(settings_file(data_dir))
    values.update(env)
    settings = Settings(**values)
    settings.validate()
    return settings


def save_settings(settings: Settings, environ: dict[str, str] | None = None) -> Path:
    """Write the non-personal settings that differ from the defaults, atomically (0600)."""
    settings.validate()
    env = env_overrides(environ)
    defaults = Settings()
    out = {}
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if f.metadata["personal"] or f.name == "data_dir" or f.name in env:
            continue
        if value != getattr(defaults, f.name):
            out[f.name] = value
    private_dir(settings.data_path)
    return replace_private(settings_file(settings.data_path),
                           json.dumps(out, ensure_ascii=False, indent=2).encode("utf-8"))


def personal_fields() -> tuple[str, ...]:
    """Settings holding the owner's own text: kept encrypted in the store, never in settings.json."""
    return tuple(f.name for f in fields(Settings) if f.metadata["personal"])
