// Polls a background job's status and shows its progress (the page works without it too).
(function () {
  const box = document.getElementById("job");
  if (!box) return;
  const bar = document.getElementById("job-bar");
  const message = document.getElementById("job-message");
  const download = document.getElementById("job-download");
  async function poll() {
    let state;
    try {
      const answer = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
      state = await answer.json();
    } catch (error) {
      setTimeout(poll, 3000);
      return;
    }
    const percent = Math.round(state.progress * 100);
    bar.className = "progress-bar job-bar w-" + Math.round(percent / 5) * 5;
    bar.parentElement.setAttribute("aria-valuenow", percent);
    message.textContent = state.message || (state.status === "queued" ? "Waiting to start…" : percent + " %");
    if (state.status === "done") {
      download.hidden = !state.download;
      return;
    }
    if (state.status !== "failed") setTimeout(poll, 1000);
  }
  poll();
})();
