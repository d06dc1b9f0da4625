// A minimal MCP Apps host for the browser tests, built on the SDK's own host side (AppBridge): it puts the
// view's HTML into a sandboxed iframe, answers the view's ui/initialize with a host context (theme, locale)
// and sends it a tool result, as Claude or VS Code would. Bundled by esbuild and loaded with page.setContent.
import { AppBridge, PostMessageTransport, type McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';

interface Mount {
  html: string;
  result: { content: unknown[]; structuredContent?: unknown; isError?: boolean };
  hostContext: McpUiHostContext;
  width: number;
}

declare global {
  interface Window {
    mountView(m: Mount): Promise<void>;
    setTheme(theme: 'light' | 'dark'): Promise<void>;
    viewSizes: Array<{ width?: number; height?: number }>;
  }
}

let bridge: AppBridge | undefined;
window.viewSizes = [];

window.mountView = async ({ html, result, hostContext, width }) => {
  document.body.style.background = hostContext.theme === 'dark' ? '#0b0d10' : '#f0f0f0';
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.style.cssText = `width:${width}px;height:200px;border:1px solid #8884;display:block;background:transparent`;
  document.body.replaceChildren(iframe);
  // Listen before the view loads: it sends ui/initialize as soon as its script runs.
  const view = iframe.contentWindow!;
  bridge = new AppBridge(null, { name: 'test-host', version: '0.0.0' }, { openLinks: {} }, { hostContext });
  bridge.onsizechange = ({ width: w, height }) => {
    window.viewSizes.push({ width: w, height });
    if (height) iframe.style.height = `${height}px`;
  };
  const initialized = new Promise<void>((resolve) => (bridge!.oninitialized = () => resolve()));
  await bridge.connect(new PostMessageTransport(view, view));
  iframe.srcdoc = html;
  await initialized;
  await bridge.sendToolInput({ arguments: {} });
  await bridge.sendToolResult(result as never);
};

window.setTheme = async (theme) => {
  document.body.style.background = theme === 'dark' ? '#0b0d10' : '#f0f0f0';
  await bridge!.sendHostContextChange({ theme });
};
