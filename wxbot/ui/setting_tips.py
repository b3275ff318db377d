"""Settings in the owner's words, through the translation files: the Settings page's tooltips (settings.py's docs
are written for developers and name other settings by key) and the names the operation log gives them."""

from __future__ import annotations

from wxbot.ui.i18n import N_, tr

TIPS = {
    "gpu_layers": N_("How many of the model's layers run on the GPU: automatic (as many as its free memory "
                     "holds) or a number (0 = CPU only)."),
    "context_size": N_("How much text the model reads at once (its context window), in tokens."),
    "parallel_replies": N_("How many contacts' replies are written at once (one pass of the model writes them "
                           "together); 0 = automatic: 4 on a CPU, 8 on a GPU, fewer when they do not fit."),
    "max_reply_tokens": N_("The longest answer the model may write, in tokens, its thinking included."),
    "temperature": N_("How freely the model words its answers (DeepSeek-R1: 0.5 to 0.7, 0.6 recommended; lower "
                      "repeats itself less)."),
    "reasoning": N_("Whether DeepSeek-R1 thinks before it answers: off (answers at once, best for customers "
                    "waiting in a chat), brief (thinks within the budget below) or full (thinks as long as it "
                    "likes: slow on a CPU)."),
    "reasoning_budget": N_("How much the model may think in brief mode, in tokens; then it answers."),
    "persona": N_("Who the assistant is and how it answers, in your words."),
    "reply_prefix": N_("Put before every automatic reply, so contacts know it is the assistant."),
    "draft_notices": N_("Tell me about each new draft in File Transfer Helper, to answer it from the phone with "
                        "#ok N, #no N or #edit N."),
    "draft_when_unsure": N_("Once the knowledge base has documents: an automatic reply the assistant is unsure of "
                            "becomes a draft for you instead of being sent or dropped."),
    "draft_holding_line": N_("Sent at once, exactly as written, when a customer's question becomes a draft "
                             "because the assistant is unsure (once per draft; never to draft-mode contacts); "
                             "empty = silence."),
    "handoff_line": N_("Sent once, exactly as written, when a customer complains, demands a refund or asks for a "
                       "person: they then wait for you, with no automatic replies, until you write to them or press "
                       "Done; empty = only you are told."),
    "prefix_owner_words": N_("Put the reply prefix before a draft you edited too (off: your own words go out "
                             "without it)."),
    "draft_expire_minutes": N_("A draft not sent within this time expires and its messages count as missed; "
                               "0 = never."),
    "history_turns": N_("How many recent messages with a contact the model reads before answering."),
    "non_text_reply": N_("The reply to images, voice and files; empty = no reply."),
    "service_hours": N_("Hours when the assistant answers, e.g. 09:00-21:00 (may cross midnight); empty = always."),
    "away_message": N_("Sent once outside service hours; empty = nothing."),
    "faq_min_similarity": N_("How alike a customer's question must be to one of a rule's example questions for "
                             "that rule to answer (0-1); the closest rule or passage answers."),
    "kb_quote_passages": N_("Answer a question the knowledge base holds with its best passages exactly as "
                            "written (instant, numbers as in the file); 0 = the model answers from them."),
    "metrics_port": N_("Serve Prometheus metrics on 127.0.0.1 at this port (no contacts or text in them); "
                       "0 = off."),
    "daily_summary_hour": N_("The hour (0-23) at which a summary of the day goes to File Transfer Helper; "
                             "-1 = off."),
    "kb_fallback_text": N_("Sent exactly as written when a customer asks about price, stock, shipping, refunds "
                           "or invoices and the knowledge base has nothing on it; empty = no reply."),
    "min_seconds_between_replies": N_("The shortest time between two replies to one contact, in seconds."),
    "max_replies_per_minute": N_("At most this many replies a minute, all contacts together."),
    "max_replies_per_day": N_("At most this many replies a day, all contacts together."),
    "typing_delay_base": N_("A pause before each reply, as a person typing would take, in seconds."),
    "typing_delay_per_char": N_("Extra pause per character of the reply, in seconds."),
    "aggregate_seconds": N_("Messages a contact sends in quick succession within this time get one reply."),
    "takeover_minutes": N_("After you write to a contact yourself, the assistant leaves them alone this long."),
    "retention_days": N_("History older than this many days is deleted; 0 = keep everything."),
    "llm_backend": N_("Which engine answers: the model file on this PC, or a model server on your network or "
                      "online (llama-server, vLLM, Ollama, LM Studio, the DeepSeek API)."),
    "openai_base_url": N_("The server's address, usually ending in /v1, e.g. http://192.168.1.20:8080/v1."),
    "openai_model": N_("The model's name on that server; empty = the first model the server lists."),
    "openai_timeout": N_("The longest wait for one reply from the server, in seconds."),
    "model_path": N_("The model file that answers on this PC: one found in the models folder, a .gguf from "
                     "anywhere (Browse…), or automatic (the first one found)."),
    "new_contact_mode": N_("What a contact seen for the first time gets: no replies, drafts you approve, or "
                           "automatic replies. Groups always start off."),
    "faq_rules": N_("Your answers to common questions, sent exactly as you wrote them, without the model."),
    "language": N_("The window's language; it changes after a restart."),
}


def setting_tip(name: str) -> str:
    return tr(TIPS[name])

# what a changed setting is called in the operation log: the Settings page's own labels (the same catalogue entries)
LABELS = {
    "model_path": N_("Model file"), "gpu_layers": N_("GPU layers"), "context_size": N_("Context size (tokens)"),
    "parallel_replies": N_("Replies generated at once (0 = auto)"), "max_reply_tokens": N_("Longest reply (tokens)"),
    "temperature": N_("Temperature"), "persona": N_("Persona"), "reply_prefix": N_("Reply prefix"),
    "new_contact_mode": N_("New contacts"), "draft_expire_minutes": N_("Drafts expire after (minutes, 0 = never)"),
    "draft_holding_line": N_("Holding line while a draft waits"), "handoff_line": N_("Holding line when handed to me"),
    "prefix_owner_words": N_("Put the reply prefix before drafts I edited too"),
    "history_turns": N_("Remembered messages"), "non_text_reply": N_("Reply to images, voice, files"),
    "service_hours": N_("Service hours"), "away_message": N_("Away message"),
    "kb_quote_passages": N_("Answer from the knowledge base as written (passages, 0 = the model answers)"),
    "metrics_port": N_("Prometheus metrics on 127.0.0.1, port"),
    "daily_summary_hour": N_("Daily summary to File Transfer Helper at (hour)"),
    "kb_fallback_text": N_("When the knowledge base has no answer"), "faq_rules": N_("FAQ"),
    "min_seconds_between_replies": N_("Seconds between replies to one contact"),
    "max_replies_per_minute": N_("Replies per minute (all contacts)"),
    "max_replies_per_day": N_("Replies per day (all contacts)"), "typing_delay_base": N_("Typing delay, base (s)"),
    "typing_delay_per_char": N_("Typing delay per character (s)"), "aggregate_seconds": N_("Wait for more messages (s)"),
    "takeover_minutes": N_("Pause after I reply by hand (minutes)"), "language": N_("Language (after restart)"),
    "retention_days": N_("Keep history (days, 0 = forever)"), "llm_backend": N_("Engine"),
    "openai_base_url": N_("Server address"), "openai_model": N_("Model name on the server"),
    "openai_timeout": N_("Server timeout (seconds)"), "api_key": N_("API key"),
    "reasoning": N_("Reasoning (DeepSeek-R1's thinking)"), "reasoning_budget": N_("Thinking budget when brief (tokens)"),
    "draft_notices": N_("Tell me about each new draft in File Transfer Helper (#ok N / #no N / #edit N)"),
    "draft_when_unsure": N_("With a knowledge base, replies the assistant is unsure of become drafts"),
    "faq_min_similarity": N_("A rule answers a question at least this alike (0-1)"),
}


def setting_label(name: str) -> str:
    """A setting by the name the window gives it (one it does not show reads "another setting")."""
    return tr(LABELS[name]) if name in LABELS else tr("another setting")
