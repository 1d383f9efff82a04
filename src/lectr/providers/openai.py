"""OpenAI: the reference wire format."""

from lectr.providers.spec import ProviderSpec

OPENAI = ProviderSpec(
    name="openai",
    base_url_setting="openai_base_url",
    auth_header="authorization",
    model_prefixes=("gpt-", "o1", "o3", "o4", "chatgpt-", "text-embedding-", "ft:gpt-", "ft:o", "omni-moderation"),
    model_names=frozenset(
        {"davinci-002", "babbage-002", "text-moderation-latest", "text-moderation-stable", "whisper-1",
         "tts-1", "tts-1-hd", "dall-e-2", "dall-e-3", "computer-use-preview", "codex-mini-latest"}
    ),
)
