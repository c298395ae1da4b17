import type { ToolSpec } from '@promethean-os/pantheon-core';

/** Sample data bundled with the demo, so it runs offline. */
const SAMPLE_FORECASTS: Record<string, { celsius: number; sky: string }> = {
  oslo: { celsius: 4, sky: 'light rain' },
  lima: { celsius: 19, sky: 'overcast' },
  tokyo: { celsius: 12, sky: 'clear skies' },
};

export interface WeatherToolArgs {
  location: string;
  units?: 'metric' | 'imperial';
}

/** Looks the weather up in the bundled sample data. */
export class WeatherTool implements ToolSpec {
  name = 'get-weather';
  description = 'Gets current weather information for a location';
  parameters = {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'The location to get weather for' },
      units: { type: 'string', enum: ['metric', 'imperial'], default: 'metric' },
    },
    required: ['location'],
    additionalProperties: false,
  };

  async execute(args: WeatherToolArgs): Promise<string> {
    const forecast = SAMPLE_FORECASTS[args.location.toLowerCase()];
    if (!forecast) throw new Error(`No sample forecast for ${args.location}`);
    const temperature =
      args.units === 'imperial'
        ? `${Math.round(forecast.celsius * 1.8 + 32)}°F`
        : `${forecast.celsius}°C`;
    return `${args.location}: ${temperature}, ${forecast.sky}`;
  }
}

/** The first city of the sample data that `text` mentions. */
export function findCity(text: string): string | undefined {
  const lower = text.toLowerCase();
  const city = Object.keys(SAMPLE_FORECASTS).find((name) => lower.includes(name));
  return city && city[0]!.toUpperCase() + city.slice(1);
}
