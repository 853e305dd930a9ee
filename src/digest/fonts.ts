/** The digest's typeface: Be Vietnam Pro (TTF files from an npm package, every Vietnamese glyph). */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
export const FONT_FAMILY = "Be Vietnam Pro";
export const FONT_FILES = {
  regular: require.resolve("@expo-google-fonts/be-vietnam-pro/400Regular/BeVietnamPro_400Regular.ttf"),
  semibold: require.resolve("@expo-google-fonts/be-vietnam-pro/600SemiBold/BeVietnamPro_600SemiBold.ttf"),
  bold: require.resolve("@expo-google-fonts/be-vietnam-pro/700Bold/BeVietnamPro_700Bold.ttf"),
};
