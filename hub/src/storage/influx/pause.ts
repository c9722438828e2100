/** A wait of `ms`, and the function that ends it early. */
export function pause(ms: number): { done: Promise<void>; cut: () => void } {
  let cut = (): void => {};
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    cut = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, cut };
}
