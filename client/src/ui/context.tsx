import { createContext, useContext, type ParentProps, type JSX } from 'solid-js';

/**
 * A context per concern (theme, realtime, setup): `provider` builds the value
 * once, `use` reads it and fails loudly when a component sits outside its provider.
 */
export function createInitializedContext<T>(name: string, init: () => T) {
  const context = createContext<T>();
  return {
    use(): T {
      const value = useContext(context);
      if (value === undefined) throw new Error(`${name} is used outside of its provider`);
      return value;
    },
    provider(props: ParentProps): JSX.Element {
      return <context.Provider value={init()}>{props.children}</context.Provider>;
    },
  };
}
