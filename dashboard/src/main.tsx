import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App";
import { preloadPageFor } from "./pages/lazyPages";
import "./styles.css";

// Fetch the opened page's code alongside the app's start instead of after it.
preloadPageFor(window.location.pathname);

const root = document.getElementById("root");
if (!root) throw new Error("index.html lacks #root");
createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </StrictMode>,
);
