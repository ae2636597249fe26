/*
 * annteach-present: a JupyterLab extension of the annteach course, loaded only by the
 * JupyterLab that `annteach present` starts (--LabApp.extra_labextensions_path), never by
 * the students' one.
 *
 * When the notebook named in the page's address (/lab/tree/<path>) has opened and its
 * kernel is ready, it starts running all the notebook's cells (the hidden setup cell too,
 * so that the explorers run in this kernel) and, while they run, starts the slideshow of
 * jupyterlab-slideshow at the first cell (its command "deck:start").
 *
 * It uses only the application object JupyterLab hands to a plugin, so it needs no
 * build step: this file is itself the module-federation container JupyterLab loads for
 * an extension, window._JUPYTERLAB[name] with init(sharedScope) and get("./extension").
 */
(function () {
  "use strict";

  const NAME = "annteach-present";
  const WAIT_MS = 180000;

  /** The notebook in the page's address: JupyterLab's page config "treePath". */
  function treePath() {
    const node = document.getElementById("jupyter-config-data");
    const config = node ? JSON.parse(node.textContent || "{}") : {};
    return config.treePath || "";
  }

  /** Resolve with test()'s first truthy value, polling; reject after WAIT_MS. */
  function until(test, what) {
    return new Promise((resolve, reject) => {
      const start = Date.now();
      const poll = () => {
        const value = test();
        if (value) {
          resolve(value);
        } else if (Date.now() - start > WAIT_MS) {
          reject(new Error(`${NAME}: ${what} not there after ${WAIT_MS / 1000} s`));
        } else {
          setTimeout(poll, 100);
        }
      };
      poll();
    });
  }

  async function present(app, path) {
    await app.restored;
    const panel = await until(
      () =>
        Array.from(app.shell.widgets("main")).find(
          (w) => w.context && w.context.path === path && w.sessionContext && w.content
        ),
      `the notebook ${path}`
    );
    await panel.context.ready;
    await panel.sessionContext.ready;
    app.shell.activateById(panel.id);
    // Run All makes the last cell the active one: the slideshow starts at the first.
    const ran = app.commands.execute("notebook:run-all-cells");
    panel.content.activeCellIndex = 0;
    await app.commands.execute("deck:start");
    await ran;
  }

  const plugin = {
    id: `${NAME}:plugin`,
    description: "Runs the presented notebook's cells, then starts its slideshow.",
    autoStart: true,
    activate(app) {
      const path = treePath();
      if (path.endsWith(".ipynb")) {
        present(app, path).catch((error) => console.warn(error));
      }
    },
  };

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = {
    init() {}, // it shares no module
    get(module) {
      if (module !== "./extension") {
        return Promise.reject(new Error(`${NAME} has no module ${module}`));
      }
      return Promise.resolve(() => ({ __esModule: true, default: plugin }));
    },
  };
})();
