// Autosave for the response editor (templates/responses/edit.html).
// After an edit, the changed questions are posted in the background to the form's
// data-autosave URL with the same CSRF token; the JSON answer (app/responses/autosave.py)
// updates the rev.<QID> inputs, section progress, and the messages beside each field.
// Without JavaScript the form's own "Save draft" button does the same job.
(function () {
  "use strict";

  var form = document.getElementById("response-form");
  if (!form || !form.dataset.autosave || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.dataset.autosave;
  var statusBox = document.getElementById("autosave-status");
  var notice = document.getElementById("autosave-notice");
  var DELAY_MS = 1500;

  var dirty = new Map();   // question id -> edit number of its last change
  var problems = {};       // question id -> true while invalid or in conflict
  var edits = 0;
  var timer = null;
  var inFlight = null;
  var again = false;
  var leaving = false;

  function setStatus(text, kind) {
    if (!statusBox) { return; }
    statusBox.textContent = text;
    statusBox.classList.toggle("text-danger", kind === "error");
    statusBox.classList.toggle("text-muted", kind !== "error");
  }

  function block(qid) {
    return form.querySelector('[data-question="' + CSS.escape(qid) + '"]');
  }

  function questionOf(element) {
    var owner = element.closest ? element.closest("[data-question]") : null;
    return owner ? owner.dataset.question : null;
  }

  function fieldsOf(qid) {
    var prefix = "q." + qid;
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name === prefix || el.name.indexOf(prefix + ".") === 0;
    });
  }

  function setRevision(qid, revision) {
    var input = form.elements.namedItem("rev." + qid);
    if (input) { input.value = String(revision); }
  }

  function onEdit(event) {
    var qid = questionOf(event.target);
    if (!qid || event.target.type === "file") { return; }
    edits += 1;
    dirty.set(qid, edits);
    setStatus("Unsaved changes");
    clearTimeout(timer);
    timer = setTimeout(save, DELAY_MS);
  }

  function payload(qids) {
    var data = new FormData();
    new FormData(form).forEach(function (value, name) {
      var match = /^(?:rev|q)\.([^.]+)/.exec(name);
      if (name === "csrf_token" || (match && qids.has(match[1]))) {
        data.append(name, value);
      }
    });
    return data;
  }

  function csrfToken() {
    var input = form.elements.namedItem("csrf_token");
    return input ? input.value : "";
  }

  // ---- messages beside a field -------------------------------------------------

  function feedbackBox(qid) {
    var owner = block(qid);
    return owner ? owner.querySelector("[data-feedback]") : null;
  }

  function clearFeedback(qid) {
    var box = feedbackBox(qid);
    if (box) { box.replaceChildren(); }
    var owner = block(qid);
    if (owner) { owner.classList.remove("has-error"); }
    fieldsOf(qid).forEach(function (el) { el.classList.remove("is-invalid"); });
    delete problems[qid];
  }

  function showErrors(qid, messages) {
    clearFeedback(qid);
    var box = feedbackBox(qid);
    if (!box) { return; }
    messages.forEach(function (message) {
      var line = document.createElement("div");
      line.className = "invalid-feedback d-block";
      line.setAttribute("role", "alert");
      line.textContent = message;
      box.appendChild(line);
    });
    block(qid).classList.add("has-error");
    fieldsOf(qid).forEach(function (el) { el.classList.add("is-invalid"); });
    problems[qid] = true;
  }

  function button(label, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "btn btn-sm btn-outline-secondary me-2 mt-2";
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  function showConflict(conflict) {
    var qid = conflict.question_id;
    clearFeedback(qid);
    var box = feedbackBox(qid);
    if (!box) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-warning mt-2 small";
    alert.setAttribute("role", "alert");
    var lines = [
      conflict.changed_by + " changed this answer at " + conflict.changed_at + " while you were editing.",
      "Saved now: " + conflict.theirs_text,
      "Yours (not saved): " + conflict.yours_text
    ];
    lines.forEach(function (text, index) {
      if (index) { alert.appendChild(document.createElement("br")); }
      alert.appendChild(document.createTextNode(text));
    });
    alert.appendChild(document.createElement("br"));
    alert.appendChild(button("Keep mine", function () {
      setRevision(qid, conflict.revision);
      markAndSave(qid);
    }));
    alert.appendChild(button("Use theirs", function () {
      setRevision(qid, conflict.revision);
      if (fill(qid, conflict.theirs)) {
        markAndSave(qid);
      } else {
        setStatus("Their table has more rows than this page shows: reload the page to see it.", "error");
      }
    }));
    box.appendChild(alert);
    block(qid).classList.add("has-error");
    problems[qid] = true;
  }

  function markAndSave(qid) {
    edits += 1;
    dirty.set(qid, edits);
    save();
  }

  // Put a value (as the editor displays it) into a question's inputs; false if they cannot hold it.
  function fill(qid, value) {
    var fields = fieldsOf(qid);
    var whole = true;
    fields.forEach(function (el) {
      if (el.name === "q." + qid) {
        if (el.type === "radio") {
          el.checked = el.value === value;
        } else if (el.type === "checkbox") {
          el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
        } else {
          el.value = value === null || value === undefined ? "" : value;
        }
      } else {
        el.value = "";
      }
    });
    if (Array.isArray(value) && value.length && typeof value[0] === "object") {
      value.forEach(function (row, index) {
        Object.keys(row).forEach(function (column) {
          var cell = form.elements.namedItem("q." + qid + "." + index + "." + column);
          if (cell) { cell.value = row[column]; } else if (row[column] !== "") { whole = false; }
        });
      });
    }
    return whole;
  }

  // ---- saving --------------------------------------------------------------------

  function save() {
    clearTimeout(timer);
    if (inFlight) {
      again = true;
      return inFlight;
    }
    if (!dirty.size) { return Promise.resolve(); }
    var sent = new Map(dirty);
    setStatus("Saving…");
    inFlight = send(sent).finally(function () {
      inFlight = null;
      if (again) {
        again = false;
        if (dirty.size) { save(); }
      }
    });
    return inFlight;
  }

  function send(sent) {
    var qids = new Set(sent.keys());
    return fetch(url, {
      method: "POST",
      body: payload(qids),
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": csrfToken()}
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        setStatus("Not saved: you were signed out. Sign in again in another tab, then edit any answer; " +
                  "what you typed is still on this page.", "error");
        return null;
      }
      return response.json().then(function (body) { return {status: response.status, body: body}; });
    }, function () {
      setStatus("Not saved: no connection. Your answers are still on this page; we will try again.", "error");
      clearTimeout(timer);
      timer = setTimeout(save, DELAY_MS * 10);
      return null;
    }).then(function (reply) {
      if (!reply) { return; }
      if (reply.status !== 200) {
        var message = (reply.body && reply.body.message) || "the server refused the change";
        setStatus("Not saved: " + message, "error");
        return;
      }
      apply(reply.body, sent);
    });
  }

  function apply(body, sent) {
    var errors = body.errors || {};
    var conflicts = body.conflicts || [];
    var conflicted = {};
    conflicts.forEach(function (conflict) { conflicted[conflict.question_id] = true; });
    Object.keys(body.revisions || {}).forEach(function (qid) { setRevision(qid, body.revisions[qid]); });
    sent.forEach(function (edit, qid) {
      if (errors[qid] || conflicted[qid]) { return; }  // stays dirty: sent again with the next save
      clearFeedback(qid);
      if (dirty.get(qid) === edit) { dirty.delete(qid); }
    });
    Object.keys(errors).forEach(function (qid) { showErrors(qid, errors[qid]); });
    conflicts.forEach(showConflict);
    Object.keys(body.progress || {}).forEach(function (sectionId) {
      var badge = document.querySelector('[data-progress="' + CSS.escape(sectionId) + '"]');
      if (badge) { badge.textContent = body.progress[sectionId].label; }
    });
    if (notice && body.visible) {
      var shown = Array.prototype.map.call(form.querySelectorAll("[data-question]"), function (el) {
        return el.dataset.question;
      }).sort().join(" ");
      notice.hidden = body.visible.slice().sort().join(" ") === shown;
    }
    var count = Object.keys(problems).length;
    if (count) {
      setStatus(count + (count === 1 ? " answer needs" : " answers need") + " attention", "error");
    } else {
      setStatus("Saved at " + body.saved_at);
    }
  }

  // Finish pending saves before anything leaves the page, so a later form post never
  // conflicts with our own background save.
  function flush() {
    return Promise.resolve(inFlight).catch(function () {}).then(function () {
      return dirty.size ? save() : null;
    });
  }

  // Messages the server rendered (after a plain form post) count until the field is fixed.
  form.querySelectorAll(".question.has-error[data-question]").forEach(function (el) {
    problems[el.dataset.question] = true;
  });
  setStatus("Answers are saved automatically as you type.");
  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);

  form.addEventListener("submit", function (event) {
    if (leaving) { return; }
    clearTimeout(timer);
    if (!inFlight) {
      leaving = true;
      return;
    }
    event.preventDefault();
    var submitter = event.submitter;
    inFlight.catch(function () {}).then(function () {
      leaving = true;
      if (form.requestSubmit && submitter) { form.requestSubmit(submitter); } else { form.submit(); }
    });
  });

  // Evidence upload and removal are separate forms that reload the page.
  document.querySelectorAll('form[id^="upload-"], form[id^="delete-"]').forEach(function (other) {
    other.addEventListener("submit", function (event) {
      if (leaving) { return; }
      event.preventDefault();
      flush().then(function () {
        var count = Object.keys(problems).length;
        if (count && !window.confirm(count + " answer(s) are not valid and would be lost on reload. Continue?")) {
          return;
        }
        leaving = true;
        other.submit();
      });
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (!leaving && (dirty.size || inFlight)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
