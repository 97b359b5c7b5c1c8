import '@/utils/zod-setup';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import '@/components/styles.css';
import '@/components/results/results.css';
import '@/components/lineage/lineage.css';
import '@/components/history/history.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
