import { useEffect, useRef, useState } from "react";

/**
 * Once `ready` (the page's data is in), waits until every chart inside the returned ref has drawn its
 * lines (and its forecast band, for a chart with `data-forecast-level`) — a chart whose code is still
 * loading shows a placeholder without lines — then marks the moment: `performance.mark(name)` and a `data-drawn="true"` attribute the
 * load-time measurement and the end-to-end tests wait for.
 */
export function useDrawn<T extends HTMLElement>(ready: boolean, name: string) {
  const ref = useRef<T>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    if (!ready) {
      setDrawn(false);
      return;
    }
    let frame = 0;
    const check = () => {
      const root = ref.current;
      const charts = root ? root.querySelectorAll(".chart") : [];
      const allDrawn = [...charts].every(
        (c) =>
          c.querySelector(".recharts-line-curve, .recharts-line path") &&
          (!c.hasAttribute("data-forecast-level") || c.querySelector(".recharts-area-area")),
      );
      if (root && allDrawn) {
        performance.mark(name);
        setDrawn(true);
      } else {
        frame = requestAnimationFrame(check);
      }
    };
    frame = requestAnimationFrame(check);
    return () => cancelAnimationFrame(frame);
  }, [ready, name]);
  return { ref, drawn };
}
