export {
  AiSdkLlmAdapter,
  type AiSdkLlmAdapterOptions,
  isLanguageModelV4,
  type LanguageModelResolver,
} from './ai-sdk-adapter';
export { type DownloadedImage, fetchImage, type ImageDownloader } from './ai-sdk-images';
export {
  AI_SDK_CONTENT_METADATA_KEY,
  type UnsupportedContentPolicy,
} from './ai-sdk-message-mapping';
