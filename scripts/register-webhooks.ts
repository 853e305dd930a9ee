/**
 * `npm run webhooks:register`: points Telegram and Zalo at a deployment that does not register its
 * own webhooks (the Worker: it has no start-up step). Reads the same variables as the product:
 * PUBLIC_URL (the Worker's https URL), TELEGRAM_BOT_TOKEN + TELEGRAM_WEBHOOK_SECRET, ZALO_BOT_TOKEN
 * + ZALO_WEBHOOK_SECRET (and TELEGRAM_API_ROOT / ZALO_API_BASE). Also publishes Telegram's command
 * menu. Safe to run again.
 */
import { createTelegramBot, registerCommands } from "../src/channels/telegram/index.ts";
import { TELEGRAM_WEBHOOK_PATH } from "../src/channels/telegram/webhook.ts";
import { ZaloBotClient } from "../src/channels/zalo/client.ts";
import { ConfigError, loadConfig } from "../src/config.ts";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
}
if (!config.PUBLIC_URL) {
  console.error(
    "PUBLIC_URL is required: the https URL of the deployment (e.g. https://hop-thu-dan.<account>.workers.dev)",
  );
  process.exit(2);
}
if (!config.TELEGRAM_BOT_TOKEN && !config.ZALO_BOT_TOKEN) {
  console.error("Nothing to register: set TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN.");
  process.exit(2);
}
if (config.TELEGRAM_BOT_TOKEN) {
  const bot = createTelegramBot({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT });
  const url = new URL(TELEGRAM_WEBHOOK_PATH, config.PUBLIC_URL).toString();
  await bot.api.setWebhook(url, { secret_token: config.TELEGRAM_WEBHOOK_SECRET! });
  await registerCommands(bot);
  console.log(`Telegram: webhook ${url} registered, command menu published.`);
}
if (config.ZALO_BOT_TOKEN) {
  const client = new ZaloBotClient({ token: config.ZALO_BOT_TOKEN, baseUrl: config.ZALO_API_BASE });
  const url = new URL("/webhooks/zalo", config.PUBLIC_URL).toString();
  await client.setWebhook({ url, secret_token: config.ZALO_WEBHOOK_SECRET! });
  console.log(`Zalo: webhook ${url} registered.`);
}
