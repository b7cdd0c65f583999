// Excalidraw loads its fonts from EXCALIDRAW_ASSET_PATH (else a public CDN, which an
// intranet deployment cannot reach): serve them from this origin. The build copies
// them to /excalidraw-assets/ (see assetsPlugin.mjs).
declare global {
  interface Window {
    EXCALIDRAW_ASSET_PATH?: string | string[];
  }
}
if (typeof window !== 'undefined') window.EXCALIDRAW_ASSET_PATH = '/excalidraw-assets/';
export {};
