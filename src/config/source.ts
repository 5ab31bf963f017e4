import type { Settings } from "../settings.ts";
import { ConfigError } from "../errors.ts";
import { loadConfigFile, type SecretResolver } from "./load.ts";
import type { Config } from "./schema.ts";

/**
 * Loads the configuration from where the settings point: `--config`/`CONFIG_FILE` first, then the
 * SSM parameter named by `CONFIG_PARAMETER`.
 *
 * @throws ConfigError when neither is set, or the configuration is invalid.
 */
export async function loadConfig(settings: Settings, resolveSecrets?: SecretResolver): Promise<Config> {
  if (settings.configFile) return loadConfigFile(settings.configFile, resolveSecrets);
  if (settings.configParameter) {
    throw new ConfigError(
      "CONFIG_PARAMETER",
      "reading the configuration from SSM is not available in this build; set CONFIG_FILE instead",
    );
  }
  throw new ConfigError(
    "",
    "no configuration: pass --config <file>, or set CONFIG_FILE to a JSON file or CONFIG_PARAMETER to an SSM parameter name",
  );
}
