import { ConfigError } from "../errors.ts";
import { loadConfigFile, parseConfig } from "./load.ts";
import type { Config } from "./schema.ts";
import type { Settings } from "./settings.ts";
import type { ParameterStore } from "./ssm.ts";

/**
 * Loads the configuration from where the settings point: `--config`/`CONFIG_FILE` first, then the
 * SSM parameter named by `CONFIG_PARAMETER`. `ssm:/name` values are resolved through `parameters`.
 *
 * @throws ConfigError when neither is set, the configuration is invalid, or it asks for a
 * `scheduleMinutes` other than the one the function is scheduled with.
 */
export async function loadConfig(settings: Settings, parameters?: ParameterStore): Promise<Config> {
  const resolveSecrets = parameters?.resolveSecrets;
  let config: Config;
  if (settings.configFile) {
    config = await loadConfigFile(settings.configFile, resolveSecrets);
  } else if (settings.configParameter) {
    if (!parameters) {
      throw new ConfigError("CONFIG_PARAMETER", "is set, but no SSM client is available here; set CONFIG_FILE instead");
    }
    const name = settings.configParameter;
    const text = await parameters.getParameter(name, "CONFIG_PARAMETER");
    config = await parseConfig(text, `SSM parameter ${name}`, resolveSecrets);
  } else {
    throw new ConfigError(
      "",
      "no configuration: pass --config <file>, or set CONFIG_FILE to a JSON file or CONFIG_PARAMETER to an SSM parameter name",
    );
  }
  checkSchedule(config, settings);
  return config;
}

/**
 * A run covers `[t, t + scheduleMinutes)`: if the function runs less often than that, reminders
 * fall into the gaps; more often, and windows overlap. The template passes its `ScheduleMinutes`
 * as `SCHEDULE_MINUTES`, so a mismatch is caught before anything is fetched.
 */
function checkSchedule(config: Config, settings: Settings): void {
  const every = settings.scheduleMinutes;
  if (every === undefined || every === config.scheduleMinutes) return;
  throw new ConfigError(
    "scheduleMinutes",
    `is ${config.scheduleMinutes}, but the function runs every ${every} minute${every === 1 ? "" : "s"} ` +
      `(ScheduleMinutes in template.yaml, SCHEDULE_MINUTES); set both to the same value so runs neither skip nor repeat reminders`,
  );
}
