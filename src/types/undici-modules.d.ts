// The undici modules src/feeds/undici.ts imports on their own, typed from undici's own declarations.
declare module "undici/lib/dispatcher/agent.js" {
  import { Agent } from "undici";
  export default Agent;
}
declare module "undici/lib/interceptor/decompress.js" {
  import { interceptors } from "undici";

  const decompress: typeof interceptors.decompress;
  export default decompress;
}
declare module "undici/lib/api/api-request.js" {
  import type { Dispatcher } from "undici";

  const request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
  export default request;
}
declare module "undici/lib/global.js" {
  import type { getGlobalDispatcher } from "undici";

  const globals: { getGlobalDispatcher: typeof getGlobalDispatcher };
  export default globals;
}
declare module "undici/lib/web/fetch/constants.js" {
  const constants: { badPortsSet: ReadonlySet<string>; redirectStatusSet: ReadonlySet<number> };
  export default constants;
}
