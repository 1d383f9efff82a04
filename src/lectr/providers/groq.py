"""Groq: OpenAI-compatible; stream usage also arrives in x_groq.usage."""

from lectr.providers.spec import ProviderSpec

GROQ = ProviderSpec(
    name="groq",
    base_url_setting="groq_base_url",
    auth_header="authorization",
    model_prefixes=(
        "llama-", "llama3", "meta-llama/", "mixtral-", "gemma", "qwen-", "qwen/", "deepseek-r1-distill",
        "whisper-large", "distil-whisper", "moonshotai/", "openai/gpt-oss", "allam-", "playai-",
        "compound-", "groq/",
    ),
)
