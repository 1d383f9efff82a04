// The OpenAI Node SDK through Lectr, set up exactly as the multi-provider setup page shows.
// Env: LECTR_URL (http://HOST:PORT), LECTR_KEY, OPENAI_API_KEY. Prints one JSON object on stdout.
import OpenAI from "openai";

const client = new OpenAI({
  apiKey: process.env.OPENAI_API_KEY,
  baseURL: `${process.env.LECTR_URL}/v1`,
  defaultHeaders: {
    "X-Lectr-Key": process.env.LECTR_KEY,
  },
  maxRetries: 0,
  timeout: 15_000,
});

const messages = [{ role: "user", content: "Say hello from Node" }];

const { data: completion, response } = await client.chat.completions
  .create({ model: "gpt-4o-mini", messages })
  .withResponse();

const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
let streamed = "";
let chunks = 0;
let sawUsage = false;
for await (const chunk of stream) {
  chunks += 1;
  if (chunk.usage) sawUsage = true;
  streamed += chunk.choices[0]?.delta?.content ?? "";
}

console.log(
  JSON.stringify({
    node: process.version,
    sdk: OpenAI.VERSION ?? null,
    non_stream: {
      content: completion.choices[0].message.content,
      model: completion.model,
      usage: completion.usage,
      request_id: response.headers.get("x-request-id"),
    },
    stream: { content: streamed, chunks, saw_usage: sawUsage },
  }),
);
