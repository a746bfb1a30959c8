#pragma once
// A report list that asks its table for the cells of the rows on screen only, so a table of
// 100,000 rows opens at once. `Table` has cell(row, Column) -> std::string; column_title(
// Column) names a column. The list is named (its column widths are kept under the name).
#include <wx/listctrl.h>

#include <cstddef>
#include <initializer_list>
#include <string>

namespace swarmshare::gui {

struct TableColumn {
  int width = 100;
  bool right_aligned = false;
};

template <class Table, class Column>
class VirtualTableView : public wxListCtrl {
public:
  /// One TableColumn per Column, in order.
  VirtualTableView(wxWindow* parent, const Table& table, const char* name,
                   std::initializer_list<TableColumn> columns)
      : wxListCtrl(parent, wxID_ANY, wxDefaultPosition, wxDefaultSize,
                   wxLC_REPORT | wxLC_VIRTUAL | wxLC_SINGLE_SEL, wxDefaultValidator, name),
        table_(table) {
    std::size_t index = 0;
    for (const TableColumn& column : columns) {
      AppendColumn(wxString::FromUTF8(column_title(static_cast<Column>(index++))),
                   column.right_aligned ? wxLIST_FORMAT_RIGHT : wxLIST_FORMAT_LEFT, column.width);
    }
  }

private:
  wxString OnGetItemText(long item, long column) const override {
    return wxString::FromUTF8(
        table_.cell(static_cast<std::size_t>(item), static_cast<Column>(column)));
  }

  const Table& table_;
};

} // namespace swarmshare::gui
