// The kiosk: ask for the screen every few hundred milliseconds with the version shown (a 304 while nothing
// changed), swap in the new one when there is one (a tap at the station, "done", the timeout), say what
// changed to screen readers, and count down to the idle screen. Without this file the pages still work,
// but change only when reloaded.
(function () {
  "use strict";
  var kiosk = document.getElementById("kiosk");
  if (!kiosk || !window.fetch) {
    return;
  }
  var address = kiosk.getAttribute("data-poll");
  var home = kiosk.getAttribute("data-home");
  var every = parseInt(kiosk.getAttribute("data-every"), 10) || 500;
  var leave = kiosk.getAttribute("data-follow") === "leave"; // a step of the screen: any change ends it
  var etag = 'W/"' + kiosk.getAttribute("data-version") + '"';
  var news = document.getElementById("kiosk-news");
  var messages = document.getElementById("messages");
  var shownAt = Date.now();
  var loadedAt = shownAt;
  // An idle kiosk loads its page afresh every hour: the page's own forms (the language switch) get new
  // tokens before theirs expire, and the kiosk's cookie is renewed.
  var RELOAD_AFTER = 3600 * 1000;

  function countdown() {
    var elapsed = Math.floor((Date.now() - shownAt) / 1000);
    var counters = kiosk.querySelectorAll(".kiosk-seconds");
    for (var i = 0; i < counters.length; i++) {
      var start = parseInt(counters[i].getAttribute("data-seconds"), 10) || 0;
      counters[i].textContent = String(Math.max(0, start - elapsed));
    }
  }

  function tapShown() {
    var section = kiosk.querySelector("[data-tap]");
    return section ? section.getAttribute("data-tap") : null;
  }

  function swap(html) {
    var tap = tapShown();
    var ticked = [];
    var boxes = kiosk.querySelectorAll("input[type=checkbox]:checked");
    for (var i = 0; i < boxes.length; i++) {
      ticked.push(boxes[i].value);
    }
    var hadFocus = kiosk.contains(document.activeElement);
    kiosk.innerHTML = html;
    shownAt = Date.now();
    if (tap !== null && tapShown() === tap) {
      // The same person's list changed (a job finished its colour count, say): keep what they ticked.
      for (var j = 0; j < ticked.length; j++) {
        var box = kiosk.querySelector('input[type=checkbox][value="' + ticked[j] + '"]');
        if (box) {
          box.checked = true;
        }
      }
      return;
    }
    if (messages) {
      messages.textContent = ""; // what was said to the last person is not for the next
    }
    var heading = document.getElementById("kiosk-heading");
    if (heading) {
      if (news) {
        news.textContent = heading.textContent.replace(/\s+/g, " ").trim();
      }
      if (hadFocus) {
        heading.focus();
      }
    }
  }

  function poll() {
    window.fetch(address, {headers: {"If-None-Match": etag}, credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (response.status === 401) {
          window.location.assign(home); // unpaired: the kiosk page asks for a new pairing code
          return null;
        }
        if (response.status !== 200) {
          return null;
        }
        etag = response.headers.get("ETag") || etag;
        if (leave) {
          window.location.assign(home);
          return null;
        }
        return response.text().then(swap);
      })
      .catch(function () {
        return null; // the server is restarting or the network is away: ask again at the next turn
      })
      .then(function () {
        if (Date.now() - loadedAt > RELOAD_AFTER && kiosk.querySelector(".kiosk-idle")) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, every);
      });
  }

  window.setTimeout(poll, every);
  window.setInterval(countdown, 1000);
})();
