import type { ToolSpec } from '@promethean-os/pantheon-core';

/** A destination's current weather, as the tool returns it. */
export interface DestinationWeather {
  location: string;
  celsius: number;
  conditions: string;
  windKph: number;
}

/** Bundled sample data for the ferry line's destinations, so the desk runs without network. */
const SAMPLE_WEATHER: Record<string, Omit<DestinationWeather, 'location'>> = {
  bergen: { celsius: 9, conditions: 'rain showers', windKph: 38 },
  kirkwall: { celsius: 7, conditions: 'gale', windKph: 72 },
  oslo: { celsius: 4, conditions: 'light snow', windKph: 12 },
  stavanger: { celsius: 10, conditions: 'overcast', windKph: 25 },
};

/** The destinations the sample data covers, capitalised. */
export const DESTINATIONS: readonly string[] = Object.keys(SAMPLE_WEATHER).map(
  (name) => name[0]!.toUpperCase() + name.slice(1),
);

export interface DestinationWeatherArgs {
  location: string;
}

/** `get-weather`: the current weather at one of the ferry line's destinations (sample data). */
export class DestinationWeatherTool implements ToolSpec {
  name = 'get-weather';
  description = `Current weather at a ferry destination: ${DESTINATIONS.join(', ')}`;
  parameters = {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'The destination, e.g. "Bergen"' },
    },
    required: ['location'],
    additionalProperties: false,
  };

  async execute(args: DestinationWeatherArgs): Promise<DestinationWeather> {
    const weather = SAMPLE_WEATHER[args.location.trim().toLowerCase()];
    if (!weather) {
      throw new Error(
        `No weather for "${args.location}"; destinations: ${DESTINATIONS.join(', ')}`,
      );
    }
    return { location: args.location.trim(), ...weather };
  }
}
