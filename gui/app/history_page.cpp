#include <utility> // before Boost.Asio (through the engine's headers): std::exchange

#include "history_page.hpp"

#include "swarmshare/gui/text.hpp"

#include <wx/button.h>
#include <wx/listctrl.h>
#include <wx/msgdlg.h>
#include <wx/sizer.h>

namespace swarmshare::gui {
namespace {

// The newest entries; older ones stay in the database.
constexpr std::uint32_t kShownEntries = 1000;

std::string outcome_text(const client::HistoryEntry& entry) {
  switch (entry.outcome) {
  case client::HistoryOutcome::downloaded: return "Downloaded";
  case client::HistoryOutcome::shared: return "Shared";
  case client::HistoryOutcome::share_declined: return "Downloaded, not shared";
  case client::HistoryOutcome::unshared: return "Stopped sharing";
  case client::HistoryOutcome::failed: return "Failed: " + entry.reason;
  case client::HistoryOutcome::cancelled: return "Cancelled";
  }
  return "";
}

} // namespace

HistoryPage::HistoryPage(wxWindow* parent, client::Session& session, FutureWatcher& futures,
                         Notices& notices)
    : wxPanel(parent), session_(session), futures_(futures), notices_(notices) {
  auto* sizer = new wxBoxSizer(wxVERTICAL);
  list_ = new wxListCtrl(this, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                         wxLC_REPORT | wxLC_SINGLE_SEL, wxDefaultValidator, "history");
  list_->AppendColumn("Date", wxLIST_FORMAT_LEFT, 140);
  list_->AppendColumn("Name", wxLIST_FORMAT_LEFT, 280);
  list_->AppendColumn("Size", wxLIST_FORMAT_RIGHT, 90);
  list_->AppendColumn("Outcome", wxLIST_FORMAT_LEFT, 220);
  sizer->Add(list_, 1, wxEXPAND | wxALL, 6);
  auto* share = new wxButton(this, wxID_ANY, "Share");
  sizer->Add(share, 0, wxALL, 6);
  SetSizer(sizer);
  share->Bind(wxEVT_BUTTON, [this](wxCommandEvent&) { on_share(); });
}

void HistoryPage::refresh(std::function<void(const std::vector<client::HistoryEntry>&)> then) {
  futures_.when_ready<core::Result<std::vector<client::HistoryEntry>>>(
      session_.history(kShownEntries, 0),
      [this, then = std::move(then)](core::Result<std::vector<client::HistoryEntry>> history) {
        if (!history) {
          return;
        }
        entries_ = std::move(history).value();
        list_->DeleteAllItems();
        for (std::size_t i = 0; i < entries_.size(); ++i) {
          const auto& entry = entries_[i];
          const long row =
              list_->InsertItem(static_cast<long>(i), wxString::FromUTF8(date_text(entry.at)));
          list_->SetItem(
              row, 1,
              wxString::FromUTF8(entry.name.empty() ? entry.file_id.to_short_hex() : entry.name));
          list_->SetItem(row, 2, wxString::FromUTF8(core::format_bytes_column(entry.size)));
          list_->SetItem(row, 3, wxString::FromUTF8(outcome_text(entry)));
        }
        if (then) {
          then(entries_);
        }
      });
}

void HistoryPage::on_share() {
  const long selected = list_->GetNextItem(-1, wxLIST_NEXT_ALL, wxLIST_STATE_SELECTED);
  if (selected < 0 || static_cast<std::size_t>(selected) >= entries_.size()) {
    return;
  }
  const auto entry = entries_[static_cast<std::size_t>(selected)];
  if (entry.path.empty()) {
    return;
  }
  // A file still unchanged since it was verified is not hashed again.
  futures_.when_ready<core::Result<client::ShareResult>>(
      session_.share(entry.path), [this, entry](core::Result<client::ShareResult> result) {
        if (!result) {
          notices_.tell("History",
                        "Could not share " + entry.path.string() + ": " + result.error().message(),
                        wxICON_ERROR);
        }
        refresh();
      });
}

} // namespace swarmshare::gui
